import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { DriftReport } from '@synth/plugin-mlops-common';
import {
  API,
  MODEL,
  at,
  backendError,
  deployment,
  driftColumn,
  driftReport,
  renderHealth,
} from '../../__testUtils__/healthTab';
import { DriftPanel } from './DriftPanel';
import { HealthRefreshProvider } from './refresh';

const server = setupServer();
registerMswTestHooks(server);

const panel = (monitored = true) => (
  <HealthRefreshProvider>
    <DriftPanel
      entityRef="mlmodel:default/churn-classifier"
      monitored={monitored}
    />
  </HealthRefreshProvider>
);

const columns = [
  driftColumn('tenure_months', { pValue: 0.3, statistic: 0.08 }),
  driftColumn('monthly_charges', {
    pValue: 0.0001,
    statistic: 0.41,
    drifted: true,
  }),
  driftColumn('contract_type', {
    type: 'categorical',
    method: 'chisquare',
    statistic: 12.5,
    pValue: 0.02,
    comparison: '<',
    drifted: true,
    histogram: {
      kind: 'categorical',
      categories: ['monthly', 'yearly'],
      reference: [60, 40],
      current: [45, 5],
    },
  }),
  driftColumn('support_tickets', {
    method: 'wasserstein',
    statistic: 0.05,
    pValue: null,
    threshold: 0.1,
    comparison: '>=',
  }),
];

const latest: DriftReport = driftReport('r-3', {
  createdAt: at(2 * 24 * 60),
  finishedAt: at(2 * 24 * 60 + 1),
  dataset: {
    driftShare: 0.5,
    drifted: true,
    threshold: 0.5,
    columnCount: 4,
    driftedColumns: ['monthly_charges', 'contract_type'],
  },
  columns,
});

function reportsAndDeployments(
  items: DriftReport[],
  full: Record<string, DriftReport> = {},
) {
  server.use(
    http.get(`${MODEL}/drift-reports`, () =>
      HttpResponse.json({
        items: items.map(({ columns: _c, ...summary }) => summary),
      }),
    ),
    http.get(`${API}/drift-reports/:id`, ({ params }) =>
      full[params.id as string]
        ? HttpResponse.json(full[params.id as string])
        : backendError(404, 'NotFoundError', 'no report'),
    ),
    http.get(`${MODEL}/deployments`, () =>
      HttpResponse.json({
        items: [deployment('d-7', { version: '7', createdAt: at(24 * 60) })],
      }),
    ),
  );
}

describe('DriftPanel', () => {
  beforeAll(() => {
    // recharts measures text with getBBox, which jsdom lacks.
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 40, height: 12 }),
    });
  });

  it('shows the latest verdict and share and every feature worst first', async () => {
    reportsAndDeployments(
      [latest, driftReport('r-2', { finishedAt: at(60) })],
      { 'r-3': latest },
    );
    await renderHealth(panel());

    const verdict = await screen.findByLabelText('Latest drift verdict');
    expect(verdict).toHaveTextContent('Drift detected');
    expect(verdict).toHaveTextContent(
      '2 of 4 columns drifted (50%; threshold 50%)',
    );
    const table = screen.getByRole('table', { name: 'Drift per feature' });
    const rows = within(table).getAllByRole('row').slice(1);
    // Drifted first; then support_tickets (half its threshold) before
    // tenure_months (p-value six times its threshold).
    expect(
      rows.map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual([
      'monthly_charges',
      'contract_type',
      'support_tickets',
      'tenure_months',
    ]);
    expect(rows[0]).toHaveTextContent('ks');
    expect(rows[0]).toHaveTextContent('0.41');
    expect(rows[0]).toHaveTextContent('1.00e-4');
    expect(rows[0]).toHaveTextContent('<= 0.05');
    expect(rows[0]).toHaveTextContent('yes');
    expect(rows[2]).toHaveTextContent('wasserstein');
    expect(rows[2]).toHaveTextContent('>= 0.1');
    expect(rows[2]).toHaveTextContent('no');
  });

  it('draws the reference and current histogram of the selected feature', async () => {
    reportsAndDeployments([latest], { 'r-3': latest });
    await renderHealth(panel());

    const worst = await screen.findByRole('figure', {
      name: 'Histogram of monthly_charges',
    });
    // Three bins, one bar per side each.
    expect(worst.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(6);
    expect(within(worst).getByText('reference')).toBeInTheDocument();
    expect(within(worst).getByText('current')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('cell', { name: 'contract_type' }));
    const categorical = await screen.findByRole('figure', {
      name: 'Histogram of contract_type',
    });
    expect(
      categorical.querySelectorAll('.recharts-bar-rectangle'),
    ).toHaveLength(4);
    expect(within(categorical).getByText('monthly')).toBeInTheDocument();
    expect(within(categorical).getByText('yearly')).toBeInTheDocument();
  });

  it('plots the drift share over time with the deployments in between', async () => {
    reportsAndDeployments(
      [
        latest,
        driftReport('r-1', {
          createdAt: at(0),
          finishedAt: at(1),
          dataset: {
            driftShare: 0.25,
            drifted: false,
            threshold: 0.5,
            columnCount: 4,
            driftedColumns: ['monthly_charges'],
          },
        }),
      ],
      { 'r-3': latest },
    );
    await renderHealth(panel());

    const trend = await screen.findByRole('figure', {
      name: 'Drift share over time',
    });
    expect(trend).toHaveTextContent('2 reports; deployments: v7');
    expect(trend.querySelectorAll('.recharts-line-dot')).toHaveLength(2);
    expect(
      trend.querySelectorAll('.recharts-reference-line').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('runs a drift report and shows it once computed, without a reload', async () => {
    let requested = 0;
    let reads = 0;
    const running = driftReport('r-4', {
      status: 'running',
      triggeredBy: 'user:default/jane.doe',
      finishedAt: undefined,
      dataset: undefined,
    });
    const done = { ...latest, id: 'r-4' };
    server.use(
      http.get(`${MODEL}/drift-reports`, () => {
        reads += 1;
        if (requested === 0) return HttpResponse.json({ items: [] });
        const { columns: _c, ...summary } = reads > 3 ? done : running;
        return HttpResponse.json({ items: [summary] });
      }),
      http.post(`${MODEL}/drift-reports`, () => {
        requested += 1;
        return HttpResponse.json({ id: 'r-4' }, { status: 202 });
      }),
      http.get(`${API}/drift-reports/r-4`, () => HttpResponse.json(done)),
      http.get(`${MODEL}/deployments`, () => HttpResponse.json({ items: [] })),
    );
    await renderHealth(panel());

    expect(await screen.findByText(/No drift report yet/)).toBeInTheDocument();
    const run = screen.getByRole('button', { name: 'Run drift report' });
    await waitFor(() => expect(run).toBeEnabled());
    await userEvent.click(run);

    expect(
      await screen.findByLabelText('Drift report in progress'),
    ).toHaveTextContent('A drift report is running (requested by jane.doe');
    expect(
      screen.getByRole('button', { name: 'Run drift report' }),
    ).toBeDisabled();
    expect(
      await screen.findByRole(
        'table',
        { name: 'Drift per feature' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(requested).toBe(1);
  }, 30_000);

  it('says why the latest report failed', async () => {
    reportsAndDeployments([
      driftReport('r-5', {
        status: 'failed',
        error: "column 'monthly_charges' is missing from the current data",
        dataset: undefined,
      }),
    ]);
    await renderHealth(panel());

    expect(
      await screen.findByText(/The latest drift report failed/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/column 'monthly_charges' is missing/),
    ).toBeInTheDocument();
  });

  it('disables Run drift report with a tooltip when the policy denies it', async () => {
    reportsAndDeployments([latest], { 'r-3': latest });
    const { authorized } = await renderHealth(panel(), {
      permissions: { allow: [] },
    });

    const run = await screen.findByRole('button', { name: 'Run drift report' });
    await waitFor(() => expect(authorized).toContain('mlops.model.drift.run'));
    await userEvent.hover(run.parentElement!);
    expect(
      await screen.findByRole('tooltip', {
        name: 'You are not allowed to do this (permission mlops.model.drift.run)',
      }),
    ).toBeInTheDocument();
    expect(run).toBeDisabled();
  });

  it('explains that an unmonitored model has no drift reports', async () => {
    reportsAndDeployments([]);
    await renderHealth(panel(false));

    expect(
      await screen.findByText(/declares no monitoring/),
    ).toBeInTheDocument();
    const run = screen.getByRole('button', { name: 'Run drift report' });
    await userEvent.hover(run.parentElement!);
    expect(
      await screen.findByRole('tooltip', {
        name: 'The model declares no spec.monitoring',
      }),
    ).toBeInTheDocument();
  });

  it.each([
    [
      'the backend is unreachable',
      () => HttpResponse.error(),
      /Drift reports: Backend unreachable/,
    ],
    [
      'the caller may not read the model',
      () => backendError(403, 'NotAllowedError', 'no'),
      /Drift reports: Not allowed/,
    ],
    [
      'the drift engine fails',
      () => backendError(503, 'ServiceUnavailableError', 'worker pool down'),
      /Drift reports: Engine error/,
    ],
  ])('says so when %s', async (_case, respond, title) => {
    server.use(
      http.get(`${MODEL}/drift-reports`, respond),
      http.get(`${MODEL}/deployments`, () => HttpResponse.json({ items: [] })),
    );
    await renderHealth(panel());
    expect(await screen.findByText(title)).toBeInTheDocument();
  });
});
