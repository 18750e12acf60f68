import { test, expect } from '@playwright/test';
import { openHealthTab, openOverview, signInAsGuest } from './modelHealth';

// The Health tab of an MLModel on the quick-start portal, against the example catalog in
// catalog/ and the real mlops backend: the local executor trains the model from
// catalog/models/training, and drift reports compare catalog/data's bundled sample files.
// Deployments and rollback: deployments.test.ts.

test.describe('model Health tab', () => {
  test('a guest trains the model on the local executor and watches the run finish with its log', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await signInAsGuest(page);
    await openOverview(page);
    await openHealthTab(page);
    await page.screenshot({
      path: 'e2e-test-results/health-tab.png',
      fullPage: true,
    });

    // The form is generated from spec.training.parameters, with the declared defaults.
    const train = page.getByRole('button', { name: 'Train', exact: true });
    await expect(train).toBeEnabled();
    await train.click();
    const form = page.getByRole('dialog', { name: 'Start a training run' });
    await expect(form.getByLabel('n_estimators')).toHaveValue('400');
    await form.getByLabel('n_estimators').fill('100');
    await form.getByRole('button', { name: 'Start run' }).click();

    // The run view follows the log and the status without a reload.
    const run = page.getByRole('dialog', { name: /^Training run / });
    await expect(run).toBeVisible();
    const log = run.getByLabel('Run log');
    await expect(run.getByLabel('Run status')).toHaveText('succeeded', {
      timeout: 240_000,
    });
    await expect(log).toContainText('mlops-result');
    await expect(run.getByText(/^Registered version /)).toBeVisible();
    await expect(run.getByLabel('Run metrics')).toContainText('roc_auc');
    await page.screenshot({
      path: 'e2e-test-results/health-training-run.png',
      fullPage: true,
    });
    await run.getByRole('button', { name: 'Close' }).click();

    // The table lists the run with the version it produced.
    const runs = page.getByRole('table', { name: 'Training runs' });
    await expect(runs.getByRole('row').nth(1)).toContainText('succeeded');
    await expect(runs.getByRole('row').nth(1)).toContainText('guest');
  });

  test('a guest runs a drift report on the bundled sample data and reads the features and a histogram', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await signInAsGuest(page);
    await openHealthTab(page);

    const runReport = page.getByRole('button', { name: 'Run drift report' });
    await expect(runReport).toBeEnabled();
    await runReport.click();

    // The report is computed in the background; the panel re-reads it until it is final.
    const features = page.getByRole('table', { name: 'Drift per feature' });
    const failed = page
      .getByRole('alert')
      .filter({ hasText: 'The latest drift report failed' })
      // Not a scheduled report that failed before this one was requested.
      .filter({ hasText: 'requested by guest' });
    await expect(features.or(failed)).toBeVisible({ timeout: 180_000 });
    if (await failed.isVisible()) {
      const reason = (await failed.textContent()) ?? '';
      // app-config.yaml lets the drift engine read catalog/data (mlops.drift.localDataRoots).
      throw new Error(`The drift report failed: ${reason}`);
    }
    await expect(page.getByLabel('Latest drift verdict')).toContainText(
      /columns drifted/,
    );
    await expect(features.getByRole('row').nth(1)).toBeVisible();
    await expect(
      features.getByRole('cell', { name: 'monthly_charges', exact: true }),
    ).toBeVisible();

    // The worst feature's histogram is drawn; picking another one draws its own.
    const histogram = page.getByRole('figure', { name: /^Histogram of / });
    await expect(histogram).toBeVisible();
    await expect(
      histogram.locator('.recharts-bar-rectangle').first(),
    ).toBeVisible();
    await features
      .getByRole('cell', { name: 'contract_type', exact: true })
      .click();
    await expect(
      page.getByRole('figure', { name: 'Histogram of contract_type' }),
    ).toBeVisible();
    await page
      .getByRole('figure', { name: 'Histogram of contract_type' })
      .scrollIntoViewIfNeeded();
    await page.screenshot({
      path: 'e2e-test-results/health-drift-report.png',
      fullPage: true,
    });
  });
});
