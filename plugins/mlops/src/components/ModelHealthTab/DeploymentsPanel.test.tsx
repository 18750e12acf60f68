import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  API,
  MODEL,
  backendError,
  deployment,
  healthModel,
  renderHealth,
} from '../../__testUtils__/healthTab';
import { DeploymentsPanel } from './DeploymentsPanel';
import { HealthRefreshProvider } from './refresh';

const server = setupServer();
registerMswTestHooks(server);

const panel = (
  <HealthRefreshProvider>
    <DeploymentsPanel
      entityRef="mlmodel:default/churn-classifier"
      serving={healthModel.spec.serving}
    />
  </HealthRefreshProvider>
);

const live = deployment('d-3', { version: '3' });
const canary = deployment('d-4', {
  version: '4',
  strategy: 'canary',
  weight: 0.1,
  status: 'canary',
  createdAt: '2026-11-21T10:00:00Z',
});

function listing(...items: ReturnType<typeof deployment>[]) {
  let reads = 0;
  server.use(
    http.get(`${MODEL}/deployments`, () => {
      reads += 1;
      return HttpResponse.json({ items });
    }),
  );
  return () => reads;
}

async function target() {
  return within(
    await screen.findByRole('region', { name: 'Target AWS Lambda' }),
  );
}

describe('DeploymentsPanel', () => {
  it('shows the live version, the canary with its weight and the state per target', async () => {
    listing(canary, live);
    await renderHealth(panel);

    const lambda = await target();
    expect(lambda.getByText('churn-classifier:live')).toBeInTheDocument();
    expect(lambda.getByText('Live version').nextSibling).toHaveTextContent('3');
    expect(lambda.getByText('Canary').nextSibling).toHaveTextContent(
      'version 4 at 10% of traffic',
    );
    expect(lambda.getByText('canary')).toBeInTheDocument();
  });

  it('promotes a canary after confirmation and reloads the deployments', async () => {
    const reads = listing(canary, live);
    const promoted: string[] = [];
    server.use(
      http.post(`${API}/deployments/:id/promote`, ({ params }) => {
        promoted.push(params.id as string);
        return HttpResponse.json({ ...canary, status: 'promoting' });
      }),
    );
    await renderHealth(panel);

    await userEvent.click(
      (await target()).getByRole('button', { name: 'Promote' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Promote version 4?',
    });
    expect(promoted).toEqual([]);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );

    await waitFor(() => expect(promoted).toEqual(['d-4']));
    await waitFor(() => expect(reads()).toBeGreaterThanOrEqual(2));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('rolls back nothing when the confirmation is cancelled', async () => {
    listing(live);
    let rolledBack = 0;
    server.use(
      http.post(`${API}/deployments/:id/rollback`, () => {
        rolledBack += 1;
        return HttpResponse.json(live);
      }),
    );
    await renderHealth(panel);

    await userEvent.click(
      (await target()).getByRole('button', { name: 'Roll back' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Roll back version 3?',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(rolledBack).toBe(0);
  });

  it('keeps the dialog open with the engine error when a rollback fails', async () => {
    listing(live);
    server.use(
      http.post(`${API}/deployments/d-3/rollback`, () =>
        backendError(
          503,
          'ServiceUnavailableError',
          'Lambda at http://127.0.0.1:5001 is unreachable',
        ),
      ),
    );
    await renderHealth(panel);

    await userEvent.click(
      (await target()).getByRole('button', { name: 'Roll back' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back' }),
    );

    expect(
      await within(dialog).findByText(/Roll back: Engine error/),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'HTTP 503): Lambda at http://127.0.0.1:5001 is unreachable',
    );
  });

  it('deploys a registered version as a canary with an idempotency key', async () => {
    listing(live);
    server.use(
      http.get(`${MODEL}/versions`, () =>
        HttpResponse.json({
          items: [
            {
              modelRef: 'mlmodel:default/churn-classifier',
              version: '5',
              runId: 'run-5',
              metrics: { roc_auc: 0.88 },
              registry: 'internal',
              createdAt: '2026-11-22T10:00:00Z',
            },
            {
              modelRef: 'mlmodel:default/churn-classifier',
              version: '4',
              metrics: {},
              registry: 'internal',
              createdAt: '2026-11-21T10:00:00Z',
            },
          ],
        }),
      ),
    );
    const requests: Array<{ body: unknown; key: string | null }> = [];
    server.use(
      http.post(`${MODEL}/deployments`, async ({ request }) => {
        requests.push({
          body: await request.json(),
          key: request.headers.get('Idempotency-Key'),
        });
        return HttpResponse.json(
          deployment('d-5', { version: '5', status: 'pending' }),
          { status: 202 },
        );
      }),
    );
    await renderHealth(panel);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Deploy a version' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Deploy a version',
    });
    const version = await within(dialog).findByLabelText('Version');
    expect(version).toHaveValue('5');
    await userEvent.selectOptions(version, '4');
    await userEvent.click(within(dialog).getByLabelText('Canary'));
    const weight = within(dialog).getByLabelText('Canary traffic (%)');
    await userEvent.clear(weight);
    await userEvent.type(weight, '25');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy' }),
    );

    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0].body).toEqual({
      version: '4',
      strategy: 'canary',
      weight: 0.25,
    });
    expect(requests[0].key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('disables Promote, Roll back and Deploy with a tooltip when the policy denies them', async () => {
    listing(canary, live);
    const { authorized } = await renderHealth(panel, {
      permissions: { allow: [] },
    });

    const lambda = await target();
    await waitFor(() =>
      expect(lambda.getByRole('button', { name: 'Roll back' })).toBeDisabled(),
    );
    expect(lambda.getByRole('button', { name: 'Promote' })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Deploy a version' }),
    ).toBeDisabled();
    expect(authorized).toEqual(
      expect.arrayContaining(['mlops.model.deploy', 'mlops.model.rollback']),
    );

    await userEvent.hover(
      lambda.getByRole('button', { name: 'Roll back' }).parentElement!,
    );
    expect(
      await screen.findByRole('tooltip', {
        name: 'You are not allowed to do this (permission mlops.model.rollback)',
      }),
    ).toBeInTheDocument();
  });

  it('allows Roll back but not Promote to someone with only the rollback permission', async () => {
    listing(canary, live);
    await renderHealth(panel, {
      permissions: { allow: ['mlops.model.rollback'] },
    });

    const lambda = await target();
    await waitFor(() =>
      expect(lambda.getByRole('button', { name: 'Roll back' })).toBeEnabled(),
    );
    expect(lambda.getByRole('button', { name: 'Promote' })).toBeDisabled();
  });

  it('says when nothing is deployed yet', async () => {
    listing();
    await renderHealth(panel);

    const lambda = await target();
    expect(lambda.getByText('never deployed')).toBeInTheDocument();
    expect(lambda.getByRole('button', { name: 'Roll back' })).toBeDisabled();
  });

  it.each([
    [
      'the backend is unreachable',
      () => HttpResponse.error(),
      /Deployments: Backend unreachable/,
    ],
    [
      'the caller may not see the model',
      () => backendError(403, 'NotAllowedError', 'denied'),
      /Deployments: Not allowed/,
    ],
    [
      'an engine fails',
      () => backendError(503, 'ServiceUnavailableError', 'moto down'),
      /Deployments: Engine error/,
    ],
  ])('says so when %s', async (_case, respond, title) => {
    server.use(http.get(`${MODEL}/deployments`, respond));
    await renderHealth(panel);

    expect(await screen.findByText(title)).toBeInTheDocument();
  });
});
