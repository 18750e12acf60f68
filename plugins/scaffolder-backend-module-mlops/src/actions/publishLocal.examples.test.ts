import { createMockDirectory } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createActionContext } from '../__testUtils__/actionContext';
import { createPublishLocalAction } from './publishLocal';
import { examples } from './publishLocal.examples';

const MODEL = yaml.stringify({
  apiVersion: 'mlops.synth.dev/v1alpha1',
  kind: 'MLModel',
  metadata: { name: 'example' },
  spec: { type: 'classification', lifecycle: 'experimental', owner: 'team' },
});

describe('mlops:publish:local examples', () => {
  const workspace = createMockDirectory();
  const publish = createMockDirectory();

  it.each(examples.map(e => [e.description, e] as const))(
    '%s',
    async (_description, example) => {
      workspace.clear();
      publish.clear();
      const step = yaml.parse(example.example).steps[0];
      const catalogInfo = step.input.catalogInfoPath ?? 'catalog-info.yaml';
      workspace.setContent({
        [path.posix.join(step.input.sourcePath ?? '.', catalogInfo)]: MODEL,
      });
      const catalog = catalogServiceMock.mock({ refreshEntity: jest.fn() });
      const action = createPublishLocalAction({
        catalog,
        config: new ConfigReader({
          scaffolder: { mlops: { localPublish: { directory: publish.path } } },
          catalog: {
            rules: [{ allow: ['MLModel'] }],
            locations: [
              {
                type: 'file',
                target: path.join(publish.path, '*', catalogInfo),
              },
            ],
          },
        }),
      });
      expect(step.action).toBe(action.id);
      const { ctx, outputs } = createActionContext(action, {
        input: step.input,
        workspacePath: workspace.path,
      });
      await action.handler(ctx);
      expect(fs.readFileSync(outputs.catalogInfoPath as string, 'utf8')).toBe(
        MODEL,
      );
      expect(catalog.refreshEntity).toHaveBeenCalledTimes(1);
    },
  );
});
