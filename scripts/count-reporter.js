// Prints the one closing line CI reads, counted from jest's own aggregated results.
class CountReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed` +
      (results.numPendingTests ? `, ${results.numPendingTests} skipped` : '');
    require('fs').mkdirSync('dist', { recursive: true });
    require('fs').writeFileSync('dist/test-counts.txt', line + '\n');
  }
}
module.exports = CountReporter;
