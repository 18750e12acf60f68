#!/usr/bin/env node
/* Prints the combined test counts of jest and Playwright as "synth: N passed, N failed" and exits
 * non-zero when either runner left no report or ran no test. */
const fs = require('node:fs');

function read(file, runner) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`synth: no ${runner} report at ${file} (${error.message})`);
    return undefined;
  }
}

const [jestFile, playwrightFile] = process.argv.slice(2);
const jest = read(jestFile, 'jest');
const pw = read(playwrightFile, 'Playwright');

let ok = Boolean(jest && pw);
const counts = { passed: 0, failed: 0, skipped: 0 };
if (jest) {
  counts.passed += jest.numPassedTests;
  counts.failed += jest.numFailedTests;
  counts.skipped += jest.numPendingTests + (jest.numTodoTests ?? 0);
  console.log(
    `jest: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed in ${jest.numTotalTestSuites} suites`,
  );
  if (jest.numTotalTests === 0) ok = false;
}
if (pw) {
  const s = pw.stats;
  const failed = s.unexpected + (s.flaky ?? 0);
  counts.passed += s.expected;
  counts.failed += failed;
  counts.skipped += s.skipped;
  console.log(`playwright: ${s.expected} passed, ${failed} failed`);
  if (s.expected + failed === 0) ok = false;
}
console.log(
  `synth: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
);
process.exit(ok && counts.failed === 0 ? 0 : 1);
