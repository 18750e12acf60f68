import { test, expect, Page } from '@playwright/test';
import { openHealthTab, signInAsGuest, trainModel } from './modelHealth';

// Deployments from the Health tab of churn-classifier (served by the Lambda function
// churn-classifier, alias live, eu-west-1) on the quick-start portal: two versions trained on the
// local executor are deployed to moto's Lambda (started by globalSetup.ts; app-config.yaml points
// mlops.targets.lambda at it and lets deployments create the function), then the newer one is
// rolled back from the Deployments panel. moto is checked directly: the alias must serve the
// Lambda version the first deployment published.

const MOTO_URL = 'http://127.0.0.1:5001';
const FUNCTION = 'churn-classifier';
const REGION = 'eu-west-1';

type ApiDeployment = {
  id: string;
  version: string;
  status: string;
  details: { publishedVersion?: string; previousVersion?: string };
};

/** A Lambda REST call to moto (which reads the region from the credential scope and checks no signature). */
async function motoLambda(path: string): Promise<Record<string, any>> {
  const response = await fetch(`${MOTO_URL}/2015-03-31/functions/${path}`, {
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0`,
    },
  });
  // moto answers GetAlias with 201 where AWS answers 200: any 2xx will do.
  expect(response.ok, `GET ${path} on moto: ${response.status}`).toBe(true);
  return response.json();
}

function lambdaTarget(page: Page) {
  return page.getByRole('region', { name: 'Target AWS Lambda' });
}

function dd(section: ReturnType<typeof lambdaTarget>, term: string) {
  return section.locator(`dt:text-is("${term}") + dd`);
}

/** Deploys a version all at once and waits until the panel shows it live. */
async function deploy(page: Page, version: string) {
  await page.getByRole('button', { name: 'Deploy a version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Deploy a version' });
  await expect(
    dialog.getByText(`AWS Lambda ${FUNCTION}, alias live`),
  ).toBeVisible();
  await dialog.getByLabel('Version').selectOption(version);
  await expect(
    dialog.getByRole('radio', { name: 'All at once' }),
  ).toBeChecked();
  await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
  await expect(dialog).toBeHidden();

  const state = dd(lambdaTarget(page), 'State');
  // The panel re-reads deployments in progress; a failed one shows the backend's reason here.
  await expect(state).toContainText(
    new RegExp(`^(succeeded|failed) version ${version} by guest`),
    { timeout: 90_000 },
  );
  await expect(state).toContainText(`succeeded version ${version} by guest`);
  await expect(dd(lambdaTarget(page), 'Live version')).toHaveText(version);
}

test.describe('model deployments', () => {
  test('a guest deploys two locally trained versions to Lambda (moto) and rolls the newer one back', async ({
    page,
  }) => {
    test.setTimeout(600_000);
    await signInAsGuest(page);
    await openHealthTab(page);

    const first = await trainModel(page, '50');
    await first.run.getByRole('button', { name: 'Close' }).click();
    await deploy(page, first.version);
    await expect(dd(lambdaTarget(page), 'State')).toContainText(
      /alias live (created on|moved from version \S+ to) version \d+/,
    );

    const second = await trainModel(page, '60');
    expect(second.version).not.toBe(first.version);
    await second.run.getByRole('button', { name: 'Close' }).click();
    await deploy(page, second.version);
    await expect(dd(lambdaTarget(page), 'State')).toContainText(
      /alias live moved from version \d+ to \d+/,
    );
    await lambdaTarget(page).scrollIntoViewIfNeeded();
    await page.screenshot({
      path: 'e2e-test-results/health-deployments-deployed.png',
      fullPage: true,
    });

    // Roll back the newer deployment from its target, through the confirmation dialog.
    await lambdaTarget(page).getByRole('button', { name: 'Roll back' }).click();
    const confirm = page.getByRole('dialog', {
      name: `Roll back version ${second.version}?`,
    });
    await expect(confirm).toContainText(
      `AWS Lambda will serve the version it served before ${second.version}.`,
    );
    await page.screenshot({
      path: 'e2e-test-results/health-deployments-rollback-confirm.png',
      fullPage: true,
    });
    // The deployment list the panel reads from the backend once the rollback is done.
    const listed = page.waitForResponse(
      async response => {
        if (
          response.request().method() !== 'GET' ||
          !/\/api\/mlops\/.*\/deployments\?/.test(response.url())
        ) {
          return false;
        }
        const body = await response.json().catch(() => undefined);
        return body?.items?.[0]?.status === 'rolled-back';
      },
      { timeout: 90_000 },
    );
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await expect(confirm).toBeHidden();

    const state = dd(lambdaTarget(page), 'State');
    await expect(state).toContainText(
      `rolled-back version ${second.version} by guest`,
      { timeout: 90_000 },
    );
    await expect(state).toContainText(
      /rolled back: alias live serves version \d+ again/,
    );
    await expect(dd(lambdaTarget(page), 'Live version')).toHaveText(
      first.version,
    );
    await page.screenshot({
      path: 'e2e-test-results/health-deployments-rolled-back.png',
      fullPage: true,
    });

    // The backend's record of both deployments, and moto's alias: back on the first one's version.
    const items: ApiDeployment[] = (await (await listed).json()).items;
    const rolledBack = items.find(d => d.version === second.version)!;
    const live = items.find(d => d.version === first.version)!;
    expect(rolledBack.status).toBe('rolled-back');
    expect(live.status).toBe('succeeded');
    const firstLambdaVersion = live.details.publishedVersion!;
    expect(firstLambdaVersion).toMatch(/^\d+$/);
    expect(rolledBack.details.previousVersion).toBe(firstLambdaVersion);
    expect(rolledBack.details.publishedVersion).not.toBe(firstLambdaVersion);

    const alias = await motoLambda(`${FUNCTION}/aliases/live`);
    expect(alias.FunctionVersion).toBe(firstLambdaVersion);
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    // That Lambda version is the first model version's package (PublishVersion's description).
    const published = await motoLambda(
      `${FUNCTION}/configuration?Qualifier=${firstLambdaVersion}`,
    );
    expect(published.Description).toContain(
      `mlmodel:default/churn-classifier version ${first.version} `,
    );
  });
});
