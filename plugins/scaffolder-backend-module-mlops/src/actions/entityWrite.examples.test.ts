import { createMockDirectory } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createActionContext } from '../__testUtils__/actionContext';
import { createEntityWriteAction } from './entityWrite';
import { examples } from './entityWrite.examples';

describe('mlops:entity:write examples', () => {
  const workspace = createMockDirectory();
  const catalog = catalogServiceMock.mock({
    validateEntity: jest.fn(async () => ({ valid: true as const })),
  });
  const action = createEntityWriteAction({ catalog });

  beforeEach(() => workspace.clear());

  it.each(examples.map(e => [e.description, e] as const))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      expect(step.action).toBe(action.id);
      if (step.input.overwrite) {
        workspace.setContent({ 'catalog-info.yaml': 'previous' });
      }
      const { ctx, outputs } = createActionContext(action, {
        input: step.input,
        workspacePath: workspace.path,
      });
      await action.handler(ctx);
      const written = fs.readFileSync(
        path.join(workspace.path, outputs.path as string),
        'utf8',
      );
      expect(yaml.parseAllDocuments(written).map(d => d.toJSON())).toEqual(
        step.input.entities,
      );
    },
  );
});
