import {
  createMockDirectory,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import catalogModuleMlopsEntityModel from '@synth/plugin-catalog-backend-module-mlops-entity-model';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { createActionContext } from '../__testUtils__/actionContext';
import { eventually } from '../__testUtils__/eventually';
import { scaffolderModuleMlops } from '../module';
import { createPublishLocalAction, findCoveringLocation } from './publishLocal';

jest.setTimeout(60_000);

const MODEL = {
  apiVersion: 'mlops.synth.dev/v1alpha1',
  kind: 'MLModel',
  metadata: { name: 'churn-lite' },
  spec: {
    type: 'classification',
    lifecycle: 'experimental',
    owner: 'group:default/customer-ml',
  },
};
const API = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'churn-lite-api' },
  spec: {
    type: 'openapi',
    lifecycle: 'experimental',
    owner: 'group:default/customer-ml',
    definition:
      'openapi: 3.0.3\ninfo: { title: x, version: 1.0.0 }\npaths: {}\n',
  },
};
const CATALOG_INFO = [API, MODEL].map(e => yaml.stringify(e)).join('---\n');

function configFor(
  publishDir: string,
  locations: JsonObject[] = [
    {
      type: 'file',
      target: path.join(publishDir, '*', 'catalog-info.yaml'),
      rules: [{ allow: ['MLModel', 'API'] }],
    },
  ],
) {
  return new ConfigReader({
    scaffolder: { mlops: { localPublish: { directory: publishDir } } },
    catalog: { locations },
  });
}

describe('mlops:publish:local', () => {
  const workspace = createMockDirectory();
  const publish = createMockDirectory();
  const catalog = catalogServiceMock.mock({ refreshEntity: jest.fn() });

  beforeEach(() => {
    workspace.clear();
    publish.clear();
    jest.clearAllMocks();
    workspace.setContent({
      'catalog-info.yaml': CATALOG_INFO,
      'train.py': 'print("train")\n',
      'tests/test_train.py': 'def test_x():\n    pass\n',
    });
    fs.chmodSync(path.join(workspace.path, 'train.py'), 0o755);
  });

  function run(
    input: Record<string, unknown>,
    options: { config?: ConfigReader; isDryRun?: boolean } = {},
  ) {
    const action = createPublishLocalAction({
      config: options.config ?? configFor(publish.path),
      catalog,
    });
    const { ctx, outputs } = createActionContext(action, {
      input: input as any,
      workspacePath: workspace.path,
      isDryRun: options.isDryRun,
    });
    return { promise: action.handler(ctx), outputs, ctx };
  }

  it('copies the workspace, refreshes the covering location and outputs where it went', async () => {
    const { promise, outputs } = run({ name: 'churn-lite' });
    await promise;

    const dir = path.join(publish.path, 'churn-lite');
    expect(fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8')).toBe(
      CATALOG_INFO,
    );
    expect(
      fs.readFileSync(path.join(dir, 'tests', 'test_train.py'), 'utf8'),
    ).toContain('def test_x');
    expect(fs.statSync(path.join(dir, 'train.py')).mode & 0o111).not.toBe(0);
    // Nothing but the project is left in the publish directory.
    expect(fs.readdirSync(publish.path)).toEqual(['churn-lite']);

    const location = findCoveringLocation(
      configFor(publish.path),
      path.join(dir, 'catalog-info.yaml'),
    )!;
    expect(location.entityRef).toMatch(
      /^location:default\/generated-[0-9a-f]+$/,
    );
    expect(catalog.refreshEntity).toHaveBeenCalledWith(location.entityRef, {
      credentials: expect.anything(),
    });
    expect(outputs).toEqual({
      directory: dir,
      catalogInfoPath: path.join(dir, 'catalog-info.yaml'),
      catalogInfoUrl: `file://${path.join(dir, 'catalog-info.yaml')}`,
      entityRef: 'mlmodel:default/churn-lite',
      locationRef: location.entityRef,
    });
  });

  it('publishes one folder with a differently named entity file', async () => {
    workspace.setContent({
      'project/catalog/model.yaml': yaml.stringify(MODEL),
      'project/train.py': 'print(1)\n',
      'other.txt': 'not published',
    });
    const config = configFor(publish.path, [
      {
        type: 'file',
        target: path.join(publish.path, '*', 'catalog', 'model.yaml'),
        rules: [{ allow: ['MLModel'] }],
      },
    ]);
    const { promise, outputs } = run(
      {
        name: 'churn-ray',
        sourcePath: 'project',
        catalogInfoPath: 'catalog/model.yaml',
      },
      { config },
    );
    await promise;
    expect(fs.readdirSync(path.join(publish.path, 'churn-ray')).sort()).toEqual(
      ['catalog', 'train.py'],
    );
    expect(outputs.entityRef).toBe('mlmodel:default/churn-lite');
  });

  it('writes nothing and refreshes nothing in a dry run, but still checks and outputs', async () => {
    const { promise, outputs } = run(
      { name: 'churn-lite' },
      { isDryRun: true },
    );
    await promise;
    expect(fs.readdirSync(publish.path)).toEqual([]);
    expect(catalog.refreshEntity).not.toHaveBeenCalled();
    expect(outputs.directory).toBe(path.join(publish.path, 'churn-lite'));
  });

  it('still succeeds when the catalog refuses the refresh: the next cycle reads the files', async () => {
    catalog.refreshEntity.mockRejectedValueOnce(new Error('denied'));
    const { promise, ctx } = run({ name: 'churn-lite' });
    await promise;
    expect(fs.existsSync(path.join(publish.path, 'churn-lite'))).toBe(true);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not refresh'),
    );
  });

  it('refuses a name that is already published', async () => {
    publish.setContent({ 'churn-lite/README.md': 'mine' });
    await expect(run({ name: 'churn-lite' }).promise).rejects.toThrow(
      /name: a project named churn-lite is already published/,
    );
    expect(
      fs.readFileSync(
        path.join(publish.path, 'churn-lite', 'README.md'),
        'utf8',
      ),
    ).toBe('mine');
  });

  it.each([
    [{ name: '../escape' }, /^name must be 2 to 63 characters/],
    [{ name: 'Churn' }, /^name must be 2 to 63 characters/],
    [
      { name: 'ok-name', sourcePath: '../..' },
      /^sourcePath must not contain "\.\." segments/,
    ],
    [
      { name: 'ok-name', sourcePath: '/etc' },
      /^sourcePath must be a relative path/,
    ],
    [
      { name: 'ok-name', catalogInfoPath: '../catalog-info.yaml' },
      /^catalogInfoPath must not contain "\.\." segments/,
    ],
  ])('refuses the input %j, naming the field', async (input, message) => {
    await expect(run(input).promise).rejects.toThrow(message);
    expect(fs.readdirSync(publish.path)).toEqual([]);
  });

  it('refuses a workspace that holds a symbolic link', async () => {
    fs.symlinkSync('/etc/passwd', path.join(workspace.path, 'passwd'));
    await expect(run({ name: 'churn-lite' }).promise).rejects.toThrow(
      'sourcePath holds a symbolic link (passwd)',
    );
    expect(fs.readdirSync(publish.path)).toEqual([]);
  });

  it('refuses when local publishing is not configured', async () => {
    await expect(
      run({ name: 'churn-lite' }, { config: new ConfigReader({}) }).promise,
    ).rejects.toThrow(
      'Publishing to a local directory is not enabled: set scaffolder.mlops.localPublish.directory',
    );
  });

  it('refuses when no file location of the catalog covers the project', async () => {
    const config = configFor(publish.path, [
      { type: 'url', target: 'https://example.com/catalog-info.yaml' },
      { type: 'file', target: '/somewhere/else/*/catalog-info.yaml' },
    ]);
    await expect(
      run({ name: 'churn-lite' }, { config }).promise,
    ).rejects.toThrow(
      `No catalog location of type file covers ${path.join(
        publish.path,
        'churn-lite',
        'catalog-info.yaml',
      )}`,
    );
    expect(fs.readdirSync(publish.path)).toEqual([]);
  });

  it('refuses kinds the rules of the covering location do not allow', async () => {
    const config = configFor(publish.path, [
      {
        type: 'file',
        target: path.join(publish.path, '*', 'catalog-info.yaml'),
        rules: [{ allow: ['Component', 'API'] }],
      },
    ]);
    await expect(
      run({ name: 'churn-lite' }, { config }).promise,
    ).rejects.toThrow(/do not allow the kind\(s\) MLModel/);
  });

  it('falls back to the global catalog rules, then to the catalog defaults', async () => {
    const location = {
      type: 'file',
      target: path.join(publish.path, '*', 'catalog-info.yaml'),
    };
    const global = new ConfigReader({
      scaffolder: { mlops: { localPublish: { directory: publish.path } } },
      catalog: {
        locations: [location],
        rules: [{ allow: ['MLModel', 'API'] }],
      },
    });
    await run({ name: 'allowed-globally' }, { config: global }).promise;

    const defaults = configFor(publish.path, [location]);
    await expect(
      run({ name: 'default-rules' }, { config: defaults }).promise,
    ).rejects.toThrow(/do not allow the kind\(s\) MLModel/);
  });

  it('refuses an entity file that is missing or holds no entity', async () => {
    workspace.setContent({ 'README.md': 'no catalog file' });
    await expect(run({ name: 'churn-lite' }).promise).rejects.toThrow(
      'catalogInfoPath catalog-info.yaml cannot be read from the workspace',
    );
    workspace.setContent({ 'catalog-info.yaml': 'just: a map\n' });
    await expect(run({ name: 'churn-lite' }).promise).rejects.toThrow(
      'catalogInfoPath catalog-info.yaml holds a document that is not an entity',
    );
  });
});

describe('mlops:publish:local with a real catalog', () => {
  const workspace = createMockDirectory();
  const publish = createMockDirectory();

  it('makes the published entities appear in the catalog without waiting for a processing cycle', async () => {
    workspace.setContent({ 'catalog-info.yaml': CATALOG_INFO });
    publish.setContent({
      'earlier-model/catalog-info.yaml': yaml.stringify({
        ...MODEL,
        metadata: { name: 'earlier-model' },
      }),
    });
    const actions: TemplateAction<any, any, any>[] = [];
    const backend = await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...a) => actions.push(...a) },
        ],
      ],
      features: [
        scaffolderModuleMlops,
        catalogPlugin,
        catalogModuleMlopsEntityModel,
        mockServices.rootConfig.factory({
          data: {
            scaffolder: {
              mlops: { localPublish: { directory: publish.path } },
            },
            catalog: {
              locations: [
                {
                  type: 'file',
                  target: path.join(publish.path, '*', 'catalog-info.yaml'),
                  rules: [{ allow: ['MLModel', 'API'] }],
                },
              ],
              // Far beyond the test: only the action's refresh can bring the project in.
              processingInterval: { minutes: 30 },
            },
          },
        }),
      ],
    });
    try {
      const action = actions.find(a => a.id === 'mlops:publish:local')!;
      // The catalog has read the location once when the earlier project shows.
      await eventually(async () => {
        const response = await request(backend.server).get(
          '/api/catalog/entities/by-name/mlmodel/default/earlier-model',
        );
        expect(response.status).toBe(200);
      });
      const { ctx } = createActionContext(action, {
        input: { name: 'churn-lite' },
        workspacePath: workspace.path,
      });
      await action.handler(ctx);

      const model = await eventually(async () => {
        const response = await request(backend.server).get(
          '/api/catalog/entities/by-name/mlmodel/default/churn-lite',
        );
        expect(response.status).toBe(200);
        return response.body;
      });
      expect(
        model.metadata.annotations['backstage.io/managed-by-location'],
      ).toBe(
        `file:${path.join(publish.path, 'churn-lite', 'catalog-info.yaml')}`,
      );
    } finally {
      await backend.stop();
    }
  });
});
