#!/usr/bin/env node
/* Prints the combined test counts of the set-up tests (node:test, TAP), jest and Playwright as
 * "synth: N passed, N failed" and exits non-zero when a runner left no report or ran no test. */
const fs = require('node:fs');

function read(file, runner, parse = JSON.parse) {
  try {
    return parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`synth: no ${runner} report at ${file} (${error.message})`);
    return undefined;
  }
}

function parseTap(text) {
  const count = name =>
    Number((text.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? NaN);
  const summary = {
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped'),
  };
  if (Object.values(summary).some(Number.isNaN))
    throw new Error('no TAP summary');
  return summary;
}

const [setupFile, jestFile, playwrightFile] = process.argv.slice(2);
const setup = read(setupFile, 'set-up test', parseTap);
const jest = read(jestFile, 'jest');
const pw = read(playwrightFile, 'Playwright');

let ok = Boolean(setup && jest && pw);
const counts = { passed: 0, failed: 0, skipped: 0 };
if (setup) {
  counts.passed += setup.pass;
  counts.failed += setup.fail;
  counts.skipped += setup.skipped;
  console.log(`set-up scripts: ${setup.pass} passed, ${setup.fail} failed`);
  if (setup.pass + setup.fail === 0) ok = false;
}
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
