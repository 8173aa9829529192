// A web-test-runner reporter that writes `{passed, failed, skipped}` to a file, so `npm test` can add
// the browser suite to one total. A test file that failed to load counts as one failure.
import { writeFileSync } from 'node:fs';

export function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      if (!file) return;
      const counts = { passed: 0, failed: 0, skipped: 0 };
      const walk = (suite) => {
        for (const test of suite.tests) {
          if (test.skipped) counts.skipped++;
          else if (test.passed) counts.passed++;
          else counts.failed++;
        }
        for (const child of suite.suites) walk(child);
      };
      for (const session of sessions) {
        const before = counts.failed;
        if (session.testResults) walk(session.testResults);
        if (!session.passed && counts.failed === before) counts.failed++;
      }
      writeFileSync(file, JSON.stringify(counts));
    },
  };
}
