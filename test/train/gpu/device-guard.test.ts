// DeviceGuard against a stand-in device whose GPU process is gone: Chromium then rejects
// popErrorScope ("Instance dropped in popErrorScope") instead of resolving it.
import { expect, it } from 'vitest';
import { DeviceGuard } from '../../../src/train/gpu/device-guard.ts';

const dropped = {
  lost: new Promise(() => undefined),
  addEventListener: () => undefined,
  pushErrorScope: () => undefined,
  popErrorScope: () => Promise.reject(new DOMException('Instance dropped in popErrorScope', 'OperationError')),
} as unknown as GPUDevice;

it('leaves no unhandled rejection when a run ends before checking its error scopes, and check() still rejects with the failure', async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', record);
  try {
    const guard = new DeviceGuard(dropped);
    guard.scoped(() => undefined); // a submit, then the run fails before its next check()
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
    await expect(guard.check()).rejects.toThrow('Instance dropped in popErrorScope');
  } finally {
    process.off('unhandledRejection', record);
  }
});
