// Runs the `tuning-lab` bin as a user would (node src/cli/bin.js …) and collects what it says.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StudyEvent } from '../../src/study/events.ts';

const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

/** Chromium's SwiftShader, served to Dawn through Chromium's own Vulkan loader and ICD (.ci/run installs Debian's chromium). */
export const SWIFTSHADER_ENV = {
  LD_LIBRARY_PATH: '/usr/lib/chromium',
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
};

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The events of stdout: one JSON object per line, nothing else. */
export function eventsOf(stdout: string): StudyEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StudyEvent);
}
