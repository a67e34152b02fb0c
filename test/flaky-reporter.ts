// Lists every test that failed and then passed on its retry. Browser and e2e tests run in real
// Chromium on a shared, loaded machine and get one retry (vite.config.ts); a test that needed
// it is still a bug (a race in the test or in the lab), so the run names it at the end, with
// the error its first try threw.
import { relative } from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';

export default class FlakyReporter implements Reporter {
  private readonly flaky: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    if (!testCase.diagnostic()?.flaky) return;
    const firstError = testCase.result().errors?.[0]?.message ?? '(the first try left no error)';
    this.flaky.push(
      `${relative(process.cwd(), testCase.module.moduleId)} > ${testCase.fullName}\n    first try: ${firstError}`,
    );
  }

  onTestRunEnd(): void {
    if (this.flaky.length === 0) return;
    console.log(`\nFLAKY: ${this.flaky.length} test(s) passed only on their retry; each is a race to fix:`);
    for (const line of this.flaky) console.log(`  ${line}`);
  }
}
