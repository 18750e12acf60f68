import { isSafeHref } from './links';

describe('isSafeHref', () => {
  it.each([
    ['https://mlflow.example.com/#/models/churn', true],
    ['http://localhost:5000', true],
    ['mailto:ml-team@example.com', true],
    // eslint-disable-next-line no-script-url
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['../data/churn.csv', false],
    ['s3://bucket/key', false],
  ])('%s → %s', (url, safe) => {
    expect(isSafeHref(url)).toBe(safe);
  });
});
