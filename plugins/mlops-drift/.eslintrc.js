module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  testRules: {
    // the numeric assertions of the scipy cross-checks live in helpers
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expectStatistic', 'expectPValue'] },
    ],
  },
});
