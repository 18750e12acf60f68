import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { TrainingRun } from '@synth/plugin-mlops-common';
import {
  API,
  MODEL,
  at,
  backendError,
  healthModel,
  renderHealth,
  trainingRun,
} from '../../__testUtils__/healthTab';
import { TrainingRunsPanel } from './TrainingRunsPanel';
import { HealthRefreshProvider } from './refresh';

const server = setupServer();
registerMswTestHooks(server);

const panel = (
  <HealthRefreshProvider>
    <TrainingRunsPanel
      entityRef="mlmodel:default/churn-classifier"
      parameters={healthModel.spec.training?.parameters}
      trainable
    />
  </HealthRefreshProvider>
);

describe('TrainingRunsPanel', () => {
  it('lists runs with status, start, duration, who, version and key metrics', async () => {
    server.use(
      http.get(`${MODEL}/runs`, () =>
        HttpResponse.json({
          items: [
            trainingRun('run-2', {
              status: 'succeeded',
              startedAt: at(0),
              finishedAt: at(3.5),
              modelVersion: '7',
              metrics: { roc_auc: 0.8712345, logloss: 0.31 },
            }),
            trainingRun('run-1', {
              status: 'failed',
              createdBy: 'user:default/tom.becker',
              finishedAt: at(1),
            }),
          ],
        }),
      ),
    );
    await renderHealth(panel);

    const table = await screen.findByRole('table', { name: 'Training runs' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('succeeded');
    expect(rows[1]).toHaveTextContent('3m 30s');
    expect(rows[1]).toHaveTextContent('jane.doe');
    expect(rows[1]).toHaveTextContent('7');
    expect(rows[1]).toHaveTextContent('roc_auc 0.8712, logloss 0.31');
    expect(rows[2]).toHaveTextContent('failed');
    expect(rows[2]).toHaveTextContent('tom.becker');
  });

  it('pages through older runs with the cursor and back', async () => {
    const cursors: Array<string | null> = [];
    server.use(
      http.get(`${MODEL}/runs`, ({ request }) => {
        const url = new URL(request.url);
        cursors.push(url.searchParams.get('cursor'));
        expect(url.searchParams.get('limit')).toBe('10');
        return url.searchParams.get('cursor') === 'page-2'
          ? HttpResponse.json({ items: [trainingRun('run-old')] })
          : HttpResponse.json({
              items: [trainingRun('run-new')],
              nextCursor: 'page-2',
            });
      }),
    );
    await renderHealth(panel);

    expect(
      await screen.findByRole('button', { name: 'View run run-new' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Newer' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(
      await screen.findByRole('button', { name: 'View run run-old' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Newer' }));
    expect(
      await screen.findByRole('button', { name: 'View run run-new' }),
    ).toBeInTheDocument();
    expect(cursors).toEqual([null, 'page-2', null]);
  });

  it('starts a run from a form of the declared parameters and follows it live', async () => {
    const created: Array<{ body: any; key: string | null }> = [];
    let run: TrainingRun | undefined;
    let statusReads = 0;
    server.use(
      http.get(`${MODEL}/runs`, () =>
        HttpResponse.json({ items: run ? [run] : [] }),
      ),
      http.post(`${MODEL}/runs`, async ({ request }) => {
        created.push({
          body: await request.json(),
          key: request.headers.get('Idempotency-Key'),
        });
        run = trainingRun('run-9', {
          status: 'running',
          finishedAt: undefined,
        });
        return HttpResponse.json(
          { id: 'run-9', status: 'pending' },
          { status: 202 },
        );
      }),
      http.get(`${API}/runs/run-9`, () => {
        statusReads += 1;
        // The run finishes on the third read.
        if (statusReads >= 3) {
          run = trainingRun('run-9', {
            status: 'succeeded',
            modelVersion: '9',
            metrics: { roc_auc: 0.9 },
          });
        }
        return HttpResponse.json(run);
      }),
      http.get(`${API}/runs/run-9/logs`, ({ request }) => {
        const after = Number(new URL(request.url).searchParams.get('after'));
        const log = 'epoch 1/4\nepoch 2/4\n';
        if (after === 0) {
          return HttpResponse.json({
            runId: 'run-9',
            offset: 0,
            text: 'epoch 1/4\n',
            nextOffset: 10,
            complete: false,
          });
        }
        if (after === 10) {
          return HttpResponse.json({
            runId: 'run-9',
            offset: 10,
            text: 'epoch 2/4\n',
            nextOffset: log.length,
            complete: false,
          });
        }
        return HttpResponse.json({
          runId: 'run-9',
          offset: after,
          text: 'trained; mlops-result: {"metrics":{"roc_auc":0.9}}\n',
          nextOffset: after + 50,
          complete: true,
        });
      }),
    );
    await renderHealth(panel);

    expect(
      await screen.findByText('No training runs yet.'),
    ).toBeInTheDocument();
    await userEvent.click(await screen.findByRole('button', { name: 'Train' }));
    const form = await screen.findByRole('dialog', {
      name: 'Start a training run',
    });
    // The form holds the declared defaults.
    expect(within(form).getByLabelText('n_estimators')).toHaveValue(400);
    expect(within(form).getByLabelText('booster')).toHaveValue('gbtree');
    expect(within(form).getByLabelText('balance_classes')).toBeChecked();

    // Out of bounds: the form says so and sends nothing.
    const estimators = within(form).getByLabelText('n_estimators');
    await userEvent.clear(estimators);
    await userEvent.type(estimators, '5000');
    await userEvent.click(
      within(form).getByRole('button', { name: 'Start run' }),
    );
    expect(await within(form).findByText('At most 2000')).toBeInTheDocument();
    expect(created).toHaveLength(0);

    await userEvent.clear(estimators);
    await userEvent.type(estimators, '800');
    await userEvent.selectOptions(
      within(form).getByLabelText('booster'),
      'dart',
    );
    await userEvent.click(within(form).getByLabelText('balance_classes'));
    await userEvent.click(
      within(form).getByRole('button', { name: 'Start run' }),
    );

    await waitFor(() => expect(created).toHaveLength(1));
    expect(created[0].body).toEqual({
      parameters: {
        n_estimators: 800,
        learning_rate: 0.05,
        booster: 'dart',
        balance_classes: false,
      },
    });
    expect(created[0].key).toMatch(/^[0-9a-f-]{36}$/);

    // The run view opens and follows the log and the status without a reload.
    const view = await screen.findByRole('dialog', {
      name: 'Training run run-9',
    });
    const log = within(view).getByLabelText('Run log');
    await waitFor(() => expect(log).toHaveTextContent('epoch 1/4'));
    await waitFor(() => expect(log).toHaveTextContent('epoch 2/4'), {
      timeout: 10_000,
    });
    await waitFor(() => expect(log).toHaveTextContent('mlops-result'), {
      timeout: 10_000,
    });
    expect(await within(view).findByText('Log')).toBeInTheDocument();
    await waitFor(
      () =>
        expect(within(view).getByLabelText('Run status')).toHaveTextContent(
          'succeeded',
        ),
      { timeout: 15_000 },
    );
    expect(within(view).getByText('Registered version 9')).toBeInTheDocument();
    expect(within(view).getByLabelText('Run metrics')).toHaveTextContent(
      'roc_auc 0.9',
    );
    expect(statusReads).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('disables Train with a tooltip when the policy denies training', async () => {
    server.use(
      http.get(`${MODEL}/runs`, () => HttpResponse.json({ items: [] })),
    );
    const { authorized } = await renderHealth(panel, {
      permissions: { allow: ['mlops.model.deploy'] },
    });

    const train = await screen.findByRole('button', { name: 'Train' });
    await waitFor(() => expect(authorized).toContain('mlops.model.train'));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Train' })).toBeDisabled(),
    );
    await userEvent.hover(train.parentElement!);
    expect(
      await screen.findByRole('tooltip', {
        name: 'You are not allowed to do this (permission mlops.model.train)',
      }),
    ).toBeInTheDocument();
  });

  it('shows the backend refusal when starting a run is forbidden', async () => {
    server.use(
      http.get(`${MODEL}/runs`, () => HttpResponse.json({ items: [] })),
      http.post(`${MODEL}/runs`, () =>
        backendError(
          403,
          'NotAllowedError',
          'mlops.model.train denied for user:default/guest',
        ),
      ),
    );
    await renderHealth(panel);

    await userEvent.click(await screen.findByRole('button', { name: 'Train' }));
    const form = await screen.findByRole('dialog');
    await userEvent.click(
      within(form).getByRole('button', { name: 'Start run' }),
    );
    expect(
      await within(form).findByText(/Start training: Not allowed/),
    ).toBeInTheDocument();
    expect(
      within(form).getByText(
        /mlops.model.train denied for user:default\/guest/,
      ),
    ).toBeInTheDocument();
  });

  it.each([
    [
      'unreachable',
      () => HttpResponse.error(),
      /Training runs: Backend unreachable/,
    ],
    [
      '502',
      () => HttpResponse.text('bad gateway', { status: 502 }),
      /Training runs: Engine error/,
    ],
  ])('says so when the backend is %s', async (_case, respond, title) => {
    server.use(http.get(`${MODEL}/runs`, respond));
    await renderHealth(panel);
    expect(await screen.findByText(title)).toBeInTheDocument();
  });
});
