// A Vitest browser command (vite.config.ts): a browser test asks the Node side to run a study
// link through the `tuning-lab` CLI on WebGPU (Dawn on Chromium's SwiftShader) and gets its
// exit code, stderr and JSON lines back, so one test compares the browser and Node in one run.
import type { BrowserCommand } from 'vitest/node';
import { type CliResult, runCli, SWIFTSHADER_ENV } from './run-cli.ts';

export const runNodeStudy: BrowserCommand<[link: string]> = (_context, link) =>
  runCli(['run', link, '--engine', 'webgpu'], SWIFTSHADER_ENV);

declare module 'vitest/browser' {
  interface BrowserCommands {
    runNodeStudy: (link: string) => Promise<CliResult>;
  }
}
