import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  MODEL,
  backendError,
  deployment,
  healthModel,
  renderHealth,
  trainingRun,
} from '../../__testUtils__/healthTab';
import { ModelHealthCard } from './ModelHealthCard';
import { ModelHealthContent } from './ModelHealthContent';

const server = setupServer();
registerMswTestHooks(server);

const experiment = {
  experimentId: '7',
  experimentName: 'customer-ml/churn-classifier',
  registeredModel: 'churn-classifier',
  runs: [
    {
      runId: 'mlf-2',
      runName: 'bright-owl',
      status: 'FINISHED',
      startTime: Date.parse('2026-11-21T10:00:00Z'),
      endTime: Date.parse('2026-11-21T10:02:05Z'),
      params: { n_estimators: '400' },
      metrics: { roc_auc: 0.88, logloss: 0.3 },
    },
    {
      runId: 'mlf-1',
      runName: 'calm-fox',
      status: 'FAILED',
      startTime: Date.parse('2026-11-20T10:00:00Z'),
      params: {},
      metrics: { roc_auc: 0.84 },
    },
  ],
  metricHistoryRunId: 'mlf-2',
  metricHistories: {
    roc_auc: [
      { step: 0, timestamp: 1, value: 0.7 },
      { step: 1, timestamp: 2, value: 0.82 },
      { step: 2, timestamp: 3, value: 0.88 },
    ],
    logloss: [
      { step: 0, timestamp: 1, value: 0.5 },
      { step: 1, timestamp: 2, value: 0.3 },
    ],
  },
  truncatedMetrics: [],
};

function backend(overrides: { experiment?: () => Response } = {}) {
  const experimentQueries: string[] = [];
  server.use(
    http.get(`${MODEL}/health`, () =>
      HttpResponse.json({
        modelRef: 'mlmodel:default/churn-classifier',
        status: 'degraded',
        reasons: ['2 of 4 columns drifted', 'canary 4 waits for promotion'],
        lastRun: trainingRun('run-1'),
        deployments: [deployment('d-4', { version: '4', status: 'canary' })],
        drift: {
          reportId: 'r-1',
          computedAt: '2026-11-21T10:00:00Z',
          datasetDrift: true,
          driftShare: 0.5,
          columnCount: 4,
          driftedColumns: ['a', 'b'],
        },
      }),
    ),
    http.get(`${MODEL}/deployments`, () =>
      HttpResponse.json({ items: [deployment('d-3')] }),
    ),
    http.get(`${MODEL}/runs`, () =>
      HttpResponse.json({ items: [trainingRun('run-1')] }),
    ),
    http.get(`${MODEL}/drift-reports`, () => HttpResponse.json({ items: [] })),
    http.get(`${MODEL}/experiment`, ({ request }) => {
      experimentQueries.push(new URL(request.url).search);
      if (overrides.experiment) return overrides.experiment();
      const runId = new URL(request.url).searchParams.get('runId');
      return HttpResponse.json(
        runId === 'mlf-1'
          ? {
              ...experiment,
              metricHistoryRunId: 'mlf-1',
              metricHistories: {
                roc_auc: [{ step: 0, timestamp: 1, value: 0.84 }],
              },
            }
          : experiment,
      );
    }),
  );
  return { experimentQueries };
}

describe('ModelHealthContent', () => {
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 40, height: 12 }),
    });
  });

  it('shows the status with its reasons and every panel of the tab', async () => {
    backend();
    await renderHealth(<ModelHealthContent />);

    expect(await screen.findByText('degraded')).toBeInTheDocument();
    const reasons = screen.getByRole('list', { name: 'Health reasons' });
    expect(within(reasons).getAllByRole('listitem')).toHaveLength(2);
    expect(reasons).toHaveTextContent('canary 4 waits for promotion');
    expect(screen.getByText(/Drift 50% of 4 columns/)).toBeInTheDocument();
    expect(
      await screen.findByRole('region', { name: 'Target AWS Lambda' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Training runs' }),
    ).toBeInTheDocument();
    expect(await screen.findByText(/No drift report yet/)).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Experiment runs' }),
    ).toBeInTheDocument();
  });

  it('charts the metric history of the newest MLflow run and of the run picked', async () => {
    const { experimentQueries } = backend();
    await renderHealth(<ModelHealthContent />);

    const runs = await screen.findByRole('table', { name: 'Experiment runs' });
    const rows = within(runs).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('bright-owl');
    expect(rows[1]).toHaveTextContent('FINISHED');
    expect(rows[1]).toHaveTextContent('2m 05s');
    expect(rows[1]).toHaveTextContent('0.88');
    expect(rows[2]).toHaveTextContent('calm-fox');

    const chart = screen.getByRole('figure', { name: 'History of logloss' });
    expect(chart).toHaveTextContent('2 values of logloss by step');
    await userEvent.selectOptions(screen.getByLabelText('Metric'), 'roc_auc');
    expect(
      screen.getByRole('figure', { name: 'History of roc_auc' }),
    ).toHaveTextContent('3 values of roc_auc by step');
    expect(
      screen
        .getByRole('figure', { name: 'History of roc_auc' })
        .querySelectorAll('.recharts-line-dot'),
    ).toHaveLength(3);

    await userEvent.click(within(runs).getByText('calm-fox'));
    expect(
      await screen.findByText('1 values of roc_auc by step'),
    ).toBeInTheDocument();
    expect(experimentQueries).toEqual([
      '?maxRuns=10',
      '?maxRuns=10&runId=mlf-1',
    ]);
  });

  it('has no experiment card when the model names no MLflow experiment', async () => {
    const { experimentQueries } = backend();
    await renderHealth(<ModelHealthContent />, {
      entity: {
        ...healthModel,
        metadata: { ...healthModel.metadata, annotations: {} },
      },
    });

    expect(
      await screen.findByRole('table', { name: 'Training runs' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Experiment metrics')).not.toBeInTheDocument();
    expect(experimentQueries).toEqual([]);
  });

  it('says MLflow is unreachable in the experiment card and keeps the other panels', async () => {
    backend({
      experiment: () =>
        backendError(
          503,
          'ServiceUnavailableError',
          'MLflow at http://127.0.0.1:5000 is unreachable',
        ),
    });
    await renderHealth(<ModelHealthContent />);

    expect(
      await screen.findByText(/Experiment metrics: Engine error/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/MLflow at http:\/\/127.0.0.1:5000 is unreachable/),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Training runs' }),
    ).toBeInTheDocument();
  });

  it('says the backend is unreachable in every panel instead of going blank', async () => {
    server.use(http.all(`${MODEL}/*`, () => HttpResponse.error()));
    await renderHealth(<ModelHealthContent />);

    await waitFor(() =>
      expect(screen.getAllByText(/Backend unreachable/)).toHaveLength(5),
    );
    for (const what of [
      'Model health',
      'Deployments',
      'Training runs',
      'Drift reports',
      'Experiment metrics',
    ]) {
      expect(
        screen.getByText(new RegExp(`${what}: Backend unreachable`)),
      ).toBeInTheDocument();
    }
  });
});

describe('ModelHealthCard', () => {
  it('sums up status, deployment, last run and drift', async () => {
    backend();
    await renderHealth(<ModelHealthCard />);

    expect(await screen.findByText('degraded')).toBeInTheDocument();
    expect(
      screen.getByText('Deployed: v4 on lambda (canary)'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Last run: succeeded/)).toBeInTheDocument();
    expect(
      screen.getByText('Drift: 50% of 4 columns (drifted)'),
    ).toBeInTheDocument();
  });

  it('says the model is unknown to the backend rather than failing', async () => {
    server.use(
      http.get(`${MODEL}/health`, () =>
        backendError(
          404,
          'NotFoundError',
          'No MLModel default/churn-classifier',
        ),
      ),
    );
    await renderHealth(<ModelHealthCard />);

    expect(
      await screen.findByText(/Model health: Not found/),
    ).toBeInTheDocument();
  });
});
