import {
  MockFetchApi,
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { MlopsClient, mlopsApiRef } from '../../api';
import { ModelHealthIndicator } from './ModelHealthIndicator';

const server = setupServer();
registerMswTestHooks(server);

const healthUrl =
  'http://backstage:7007/api/mlops/models/default/churn-classifier/health';

async function renderStatus() {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          mlopsApiRef,
          new MlopsClient({
            discoveryApi: mockApis.discovery({
              baseUrl: 'http://backstage:7007',
            }),
            fetchApi: new MockFetchApi(),
          }),
        ],
      ]}
    >
      <ModelHealthIndicator entityRef="mlmodel:default/churn-classifier" />
    </TestApiProvider>,
  );
}

describe('ModelHealthIndicator', () => {
  it.each([
    ['healthy', 'healthy'],
    ['degraded', 'degraded'],
    ['unhealthy', 'unhealthy'],
    ['unknown', 'unknown'],
  ])('shows a %s model as %s', async (status, label) => {
    server.use(
      http.get(healthUrl, () => HttpResponse.json({ status, reasons: [] })),
    );
    await renderStatus();
    expect(await screen.findByText(label)).toBeInTheDocument();
  });

  it('explains the status with the reasons the backend gives', async () => {
    server.use(
      http.get(healthUrl, () =>
        HttpResponse.json({
          status: 'degraded',
          reasons: ['p95 latency above 500 ms', '2 of 8 features drifted'],
        }),
      ),
    );
    await renderStatus();

    const status = await screen.findByLabelText(
      'degraded: p95 latency above 500 ms; 2 of 8 features drifted',
    );
    await userEvent.hover(status);
    expect(
      await screen.findByRole('tooltip', {
        name: 'p95 latency above 500 ms; 2 of 8 features drifted',
      }),
    ).toBeInTheDocument();
  });

  it('reads "unknown" while the backend has no health endpoint', async () => {
    server.use(
      http.get(healthUrl, () =>
        HttpResponse.json(
          { error: { name: 'NotFoundError', message: 'Not Found' } },
          { status: 404 },
        ),
      ),
    );
    await renderStatus();

    expect(
      await screen.findByLabelText(
        'unknown: No health data: the mlops backend does not report health for this model',
      ),
    ).toHaveTextContent('unknown');
  });

  it('reads "unknown" when the backend fails', async () => {
    server.use(
      http.get(healthUrl, () =>
        HttpResponse.text('upstream timed out', { status: 502 }),
      ),
    );
    await renderStatus();

    expect(
      await screen.findByLabelText(/^unknown: Health could not be read: .*502/),
    ).toHaveTextContent('unknown');
  });

  it('says it is checking while the request is in flight', async () => {
    server.use(
      http.get(healthUrl, async () => {
        await delay(200);
        return HttpResponse.json({ status: 'healthy', reasons: [] });
      }),
    );
    await renderStatus();

    expect(screen.getByText('checking…')).toBeInTheDocument();
    expect(await screen.findByText('healthy')).toBeInTheDocument();
  });
});
