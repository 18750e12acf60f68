import { test, expect, Page } from '@playwright/test';

// The ML catalog on the quick-start portal, against the example catalog in catalog/:
// browse models, filter by owner, open a model, read its model card and lineage,
// and follow the lineage to the dataset it was trained on.

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(sidebarLink(page, 'ML Catalog')).toBeVisible();
}

function sidebarLink(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name, exact: true });
}

test.describe('ML catalog', () => {
  test('a guest finds a model by owner, reads its model card and lineage, and opens its training dataset', async ({
    page,
  }) => {
    await signInAsGuest(page);

    // The page is in the sidebar.
    await sidebarLink(page, 'ML Catalog').click();
    await expect(page).toHaveURL(/\/ml$/);

    const models = page.getByRole('table', { name: 'Models' });
    await expect(
      models.getByRole('link', { name: /Card fraud detector/ }),
    ).toBeVisible();
    await expect(
      models.getByRole('link', { name: /Churn classifier/ }),
    ).toBeVisible();

    // Filter by owner: the options come from the catalog's facets.
    await page
      .getByRole('group', { name: 'Filters' })
      .getByRole('button', { name: /Owner/ })
      .click();
    await page.getByRole('option', { name: /^customer-ml \(\d+\)$/ }).click();
    await expect(page).toHaveURL(/[?&]owner=customer-ml/);
    await expect(
      models.getByRole('link', { name: /Card fraud detector/ }),
    ).toHaveCount(0);
    await expect(
      models.getByRole('link', { name: /Churn classifier/ }),
    ).toBeVisible();
    await expect(
      models.getByRole('link', { name: /Customer lifetime value/ }),
    ).toBeVisible();
    await page.screenshot({
      path: 'e2e-test-results/ml-catalog-filtered-by-owner.png',
      fullPage: true,
    });

    // Open the model: its page shows the model card and the lineage graph.
    await models.getByRole('link', { name: /Churn classifier/ }).click();
    await expect(page).toHaveURL(/\/mlmodel\/churn-classifier/);
    await expect(page.getByText('Model card', { exact: true })).toBeVisible();
    await expect(
      page.getByText(/Rank active subscribers by churn risk/),
    ).toBeVisible();
    const metrics = page.getByRole('table', { name: 'Metrics' });
    await expect(metrics.getByText('roc_auc')).toBeVisible();
    await expect(metrics.getByText('0.871')).toBeVisible();
    await expect(
      page.getByText(
        'AWS Lambda function churn-classifier, alias live in eu-west-1.',
      ),
    ).toBeVisible();

    await expect(page.getByText('Lineage', { exact: true })).toBeVisible();
    const graph = page.locator('svg').filter({ hasText: 'trains' }).first();
    await expect(graph).toBeVisible();
    await expect(
      graph.getByText('Churn training snapshots', { exact: true }),
    ).toBeVisible();
    await expect(
      graph.getByText('Churn prediction API', { exact: true }),
    ).toBeVisible();
    await page.screenshot({
      path: 'e2e-test-results/ml-model-card-and-lineage.png',
      fullPage: true,
    });

    // Follow the model card's link to the training dataset.
    await page
      .getByRole('list', { name: 'Training datasets' })
      .getByRole('link', { name: /Churn training snapshots/ })
      .click();
    await expect(page).toHaveURL(/\/dataset\/churn-training-snapshots/);
    await expect(
      page.getByText('Dataset schema', { exact: true }),
    ).toBeVisible();
    const schema = page.getByRole('table', { name: 'Schema' });
    await expect(schema.getByText('tenure_months')).toBeVisible();
    await expect(schema.getByText('target')).toBeVisible();
    await expect(
      page
        .getByRole('list', { name: 'Models trained on it' })
        .getByRole('link', { name: /Churn classifier/ }),
    ).toBeVisible();
    // The entity page scrolls inside its content area; bring the schema into view.
    await schema.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: 'e2e-test-results/ml-training-dataset.png',
      fullPage: true,
    });
  });

  test('a lineage node opens the entity it stands for', async ({ page }) => {
    await signInAsGuest(page);
    await page.goto('/catalog/default/feature/tenure-months');

    await expect(page.getByText('Feature', { exact: true })).toBeVisible();
    const graph = page.locator('svg').filter({ hasText: 'derives' }).first();
    await expect(graph).toBeVisible();
    await graph.getByText('Churn training snapshots', { exact: true }).click();

    await expect(page).toHaveURL(/\/dataset\/churn-training-snapshots/);
    await expect(
      page.getByText('Dataset schema', { exact: true }),
    ).toBeVisible();
  });
});
