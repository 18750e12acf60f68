import { expect, Page } from '@playwright/test';

// Shared steps of the Health tab end-to-end tests, on the example model churn-classifier
// (catalog/models/customer-ml.yaml). The guest is a member of customer-ml, which owns it, so the
// example permission policy lets them train, deploy, roll back and run drift reports.

export const MODEL_PAGE = '/catalog/default/mlmodel/churn-classifier';

export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'ML Catalog', exact: true }),
  ).toBeVisible();
}

export async function openHealthTab(page: Page) {
  await page.goto(MODEL_PAGE);
  // The tab (a link in the entity page header) is there once the catalog has ingested the model.
  const tab = page.getByRole('link', { name: 'Health', exact: true });
  await expect(tab).toBeVisible({ timeout: 60_000 });
  await tab.click();
  await expect(page).toHaveURL(/\/mlmodel\/churn-classifier\/health/);
  await expect(page.getByText('Model health', { exact: true })).toBeVisible();
}

export async function openOverview(page: Page) {
  await page.goto(MODEL_PAGE);
  // The small health card on the overview: its status and last-run line (a
  // healthy model has no reasons list, so the test does not wait for one).
  await expect(page.getByText(/^(No training runs|Last run: )/)).toBeVisible({
    timeout: 60_000,
  });
}

/**
 * Trains the model from the Health tab's Train form on the local executor and waits for the run
 * to succeed. Returns the model version the run registered; the run view is left open.
 */
export async function trainModel(
  page: Page,
  nEstimators: string,
): Promise<{ version: string; run: ReturnType<Page['getByRole']> }> {
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  await train.click();
  const form = page.getByRole('dialog', { name: 'Start a training run' });
  await form.getByLabel('n_estimators').fill(nEstimators);
  await form.getByRole('button', { name: 'Start run' }).click();

  // The run view follows the log and the status without a reload.
  const run = page.getByRole('dialog', { name: /^Training run / });
  await expect(run).toBeVisible();
  await expect(run.getByLabel('Run status')).toHaveText('succeeded', {
    timeout: 240_000,
  });
  const registered = run.getByText(/^Registered version /);
  await expect(registered).toBeVisible();
  const version = /^Registered version (\S+)/.exec(
    (await registered.textContent()) ?? '',
  )?.[1];
  expect(version).toBeTruthy();
  return { version: version!, run };
}
