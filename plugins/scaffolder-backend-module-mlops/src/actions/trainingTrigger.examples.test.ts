import {
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import yaml from 'yaml';
import { createActionContext } from '../__testUtils__/actionContext';
import { createTrainingTriggerAction } from './trainingTrigger';
import { examples } from './trainingTrigger.examples';

describe('mlops:training:trigger examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const BASE = 'http://mlops.test/api/mlops';
  const workspace = createMockDirectory();
  const action = createTrainingTriggerAction({
    discovery: mockServices.discovery.mock({ getBaseUrl: async () => BASE }),
    auth: mockServices.auth(),
  });

  it.each(examples.map(e => [e.description, e] as const))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      expect(step.action).toBe(action.id);
      const bodies: unknown[] = [];
      server.use(
        http.post(
          `${BASE}/models/default/churn-lite/runs`,
          async ({ request }) => {
            bodies.push(await request.json());
            return HttpResponse.json(
              { id: 'run-1', status: 'pending' },
              { status: 202 },
            );
          },
        ),
      );
      const { ctx, outputs } = createActionContext(action, {
        input: step.input,
        workspacePath: workspace.path,
      });
      await action.handler(ctx);
      expect(bodies).toEqual([{ parameters: step.input.parameters ?? {} }]);
      expect(outputs.runId).toBe('run-1');
    },
  );
});
