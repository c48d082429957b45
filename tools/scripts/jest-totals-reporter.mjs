// A jest reporter that appends this run's test counts to the file named by
// AGENTLINK_TEST_TOTALS (one JSON line per project), so that ci-test.mjs can print one
// closing line for the whole workspace. Without the variable it does nothing.
import fs from 'node:fs';

export default class TestTotalsReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.AGENTLINK_TEST_TOTALS;
    if (!file) return;
    const line = { passed: results.numPassedTests, failed: results.numFailedTests, skipped: results.numPendingTests };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}
