import { test, expect } from '@playwright/test';

const backend = 'http://127.0.0.1:7007';

test.describe('quick-start portal', () => {
  test('the catalog API refuses anonymous callers and answers a guest', async ({
    request,
  }) => {
    const anonymous = await request.get(
      `${backend}/api/catalog/entities/by-query?limit=1`,
    );
    expect(anonymous.status()).toBe(401);

    const refresh = await request.post(`${backend}/api/auth/guest/refresh`);
    expect(refresh.ok()).toBeTruthy();
    const { backstageIdentity } = await refresh.json();
    expect(backstageIdentity.identity.userEntityRef).toBe('user:default/guest');

    // The catalog ingests the example locations in the background after start-up, so the guest
    // keeps asking until every example model is in (or the poll times out with the last count).
    await expect
      .poll(
        async () => {
          const authorized = await request.get(
            `${backend}/api/catalog/entities/by-query?filter=kind=mlmodel&limit=100`,
            { headers: { Authorization: `Bearer ${backstageIdentity.token}` } },
          );
          expect(authorized.status()).toBe(200);
          const body = await authorized.json();
          return body.items.length;
        },
        { timeout: 75_000, intervals: [1_000, 2_000, 5_000] },
      )
      .toBeGreaterThanOrEqual(8);
  });

  test('a guest signs in and sees the catalog', async ({ page }) => {
    await page.goto('/');
    const enter = page.getByRole('button', { name: 'Enter' });
    await expect(enter).toBeVisible();
    await enter.click();

    const nav = page.getByRole('navigation', { name: 'sidebar nav' });
    await expect(
      nav.getByRole('link', { name: 'Catalog', exact: true }),
    ).toBeVisible();

    // The example catalog is loaded: its two systems are listed under the System kind.
    await page.goto('/?filters[kind]=system&filters[user]=all');
    await expect(
      page.getByRole('link', { name: 'Customer Intelligence' }),
    ).toBeVisible();
    await expect(
      page.getByRole('link', { name: 'Marketplace Intelligence' }),
    ).toBeVisible();
    await page.screenshot({
      path: 'e2e-test-results/catalog-systems.png',
      fullPage: true,
    });
  });
});
