// Styles the lab's elements share: panels, labelled form controls, buttons, notices.
import { css } from 'lit';

export const panelStyles = css`
  :host { display: block; }
  h2 { font-size: 0.95rem; margin: 0 0 0.5rem; font-weight: 600; color: var(--lab-accent, #1d3557); }
  a { color: var(--lab-accent, #1d3557); }
  .hint { color: var(--lab-muted, #5b6570); font-size: 0.8rem; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
  label { max-width: 100%; display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.8rem; color: var(--lab-ink, #333a42); }
  label.inline { flex-direction: row; align-items: center; gap: 0.35rem; }
  input, select, button { font: inherit; font-size: 0.85rem; }
  input[type='number'] { width: 6.5rem; }
  input, select { padding: 0.2rem 0.3rem; border: 1px solid var(--lab-border, #b8c0c8); border-radius: 4px; background: var(--lab-surface, #fff); color: var(--lab-ink, #1b1f24); max-width: 100%; box-sizing: border-box; }
  input:focus-visible, select:focus-visible, button:focus-visible { outline: 2px solid #457b9d; outline-offset: 1px; }
  [tabindex]:focus-visible { outline: 2px solid #457b9d; outline-offset: 2px; }
  input[aria-invalid='true'] { border-color: #c62828; background: #fff5f5; }
  button { padding: 0.3rem 0.8rem; border-radius: 4px; border: 1px solid var(--lab-accent, #1d3557); background: var(--lab-surface, #fff); color: var(--lab-accent, #1d3557); cursor: pointer; }
  button.primary { background: var(--lab-accent, #1d3557); color: var(--lab-on-accent, #fff); border-color: var(--lab-accent, #1d3557); }
  button:disabled { opacity: 0.45; cursor: default; }
  .error { color: #b71c1c; background: #fff1f0; border: 1px solid #f5c2c0; border-radius: 4px; padding: 0.4rem 0.6rem; font-size: 0.85rem; white-space: pre-wrap; }
  .notice { color: #6d4c00; background: #fff8e1; border: 1px solid #f3d98b; border-radius: 4px; padding: 0.4rem 0.6rem; font-size: 0.85rem; }
`;

/** Compact display of a hyperparameter value: 3 significant digits, exponent for tiny/huge numbers. */
export function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const abs = Math.abs(value);
  const rounded = Number(value.toPrecision(3));
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? rounded.toExponential() : String(rounded);
}

// The views import the hyperparameters' labels from here; the table lives with the catalog so
// that the study's validation messages (src/study/) use the same words.
export { PARAM_LABELS } from '../search/catalog.ts';
