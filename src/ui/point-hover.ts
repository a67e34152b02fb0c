// Hover on charts drawn as points (the scatter, best so far): the point nearest the cursor,
// in pixels on both axes, names its trial. uPlot's own cursor picks by x alone, which on a
// scatter (several trials at one categorical choice or one step) would name the wrong one.
import type uPlot from 'uplot';

/** Within this many CSS pixels of the cursor a point counts as hovered. */
const REACH_PX = 10;

/**
 * Cursor options that keep uPlot tracking the mouse (no crosshair, no drag-zoom) and call
 * `onPoint` with the index, in `xs`/`ys`, of the point under the cursor, or undefined.
 * `points` is read on every move, so it follows the data the chart shows now.
 */
export function pointHover(
  points: () => { xs: ArrayLike<number>; ys: ArrayLike<number | null> } | undefined,
  onPoint: (index: number | undefined) => void,
): Pick<uPlot.Options, 'cursor' | 'hooks'> {
  return {
    cursor: { x: false, y: false, points: { show: false }, drag: { x: false, y: false, setScale: false } },
    hooks: {
      setCursor: [
        (u: uPlot) => {
          const { left, top } = u.cursor;
          const shown = points();
          if (left === undefined || top === undefined || left < 0 || !shown) return onPoint(undefined);
          let nearest: number | undefined;
          let nearestDistance = REACH_PX;
          for (let i = 0; i < shown.xs.length; i++) {
            const y = shown.ys[i];
            if (y === null || !Number.isFinite(y)) continue;
            const distance = Math.hypot(u.valToPos(shown.xs[i], 'x') - left, u.valToPos(y, 'y') - top);
            if (distance <= nearestDistance) [nearest, nearestDistance] = [i, distance];
          }
          onPoint(nearest);
        },
      ],
    },
  };
}
