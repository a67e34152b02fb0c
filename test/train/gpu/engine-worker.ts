// A dedicated worker that trains one job with its own GPU engine (no DOM there), for
// engine.browser.test.ts: posts back the adapter and every report's training losses.
import { createGpuEngine } from '../../../src/train/gpu/engine.ts';
import type { PopulationJob } from '../../../src/train/types.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.addEventListener('message', async (event: MessageEvent<PopulationJob>) => {
  try {
    const engine = await createGpuEngine();
    const result = await engine.train(event.data);
    engine.dispose();
    scope.postMessage({ adapter: engine.adapter, trainLoss: result.reports.map((r) => Array.from(r.trainLoss)) });
  } catch (error) {
    scope.postMessage({ error: String(error) });
  }
});
