import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createActionContext } from '../__testUtils__/actionContext';
import { createEntityWriteAction } from './entityWrite';

const model: Entity = {
  apiVersion: 'mlops.synth.dev/v1alpha1',
  kind: 'MLModel',
  metadata: { name: 'churn-lite', description: 'Predicts churn.' },
  spec: {
    type: 'classification',
    lifecycle: 'experimental',
    owner: 'group:default/customer-ml',
    trainedOn: ['dataset:default/churn-training-snapshots'],
    serving: {
      target: 'lambda',
      functionName: 'churn-lite',
      alias: 'live',
      providesApis: ['api:default/churn-lite-api'],
    },
  },
};

const api: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'churn-lite-api' },
  spec: {
    type: 'openapi',
    lifecycle: 'experimental',
    owner: 'group:default/customer-ml',
    definition: 'openapi: 3.0.3\n',
  },
};

describe('mlops:entity:write', () => {
  const workspace = createMockDirectory();
  const catalog = catalogServiceMock.mock({
    validateEntity: jest.fn(async () => ({ valid: true as const })),
  });
  const action = createEntityWriteAction({ catalog });

  beforeEach(() => {
    workspace.clear();
    jest.clearAllMocks();
  });

  function run(input: Record<string, unknown>) {
    const { ctx, outputs } = createActionContext(action, {
      input: input as any,
      workspacePath: workspace.path,
    });
    return { promise: action.handler(ctx), outputs };
  }

  it('writes the entities as multi-document YAML and outputs their refs', async () => {
    const { promise, outputs } = run({ entities: [model, api] });
    await promise;

    const text = fs.readFileSync(
      path.join(workspace.path, 'catalog-info.yaml'),
      'utf8',
    );
    expect(yaml.parseAllDocuments(text).map(d => d.toJSON())).toEqual([
      model,
      api,
    ]);
    expect(outputs).toEqual({
      path: 'catalog-info.yaml',
      entityRef: 'mlmodel:default/churn-lite',
      entityRefs: ['mlmodel:default/churn-lite', 'api:default/churn-lite-api'],
    });
    // The API kind is checked by the catalog, the MLModel locally.
    expect(catalog.validateEntity).toHaveBeenCalledTimes(1);
    expect(catalog.validateEntity).toHaveBeenCalledWith(
      { ...api, metadata: { ...api.metadata, namespace: 'default' } },
      expect.stringMatching(/^url:file:\/\/.*catalog-info\.yaml$/),
      expect.objectContaining({ credentials: expect.anything() }),
    );
  });

  it('drops the properties that optional form fields left empty', async () => {
    const { promise } = run({
      entities: [
        {
          ...model,
          spec: { ...model.spec, system: '', features: '', framework: null },
        },
      ],
    });
    await promise;
    expect(
      yaml.parse(
        fs.readFileSync(path.join(workspace.path, 'catalog-info.yaml'), 'utf8'),
      ),
    ).toEqual(model);
  });

  it('writes to a nested path inside the workspace', async () => {
    const { promise, outputs } = run({
      path: 'catalog/model.yaml',
      entities: [model],
    });
    await promise;
    expect(
      fs.existsSync(path.join(workspace.path, 'catalog', 'model.yaml')),
    ).toBe(true);
    expect(outputs.path).toBe('catalog/model.yaml');
  });

  it.each([
    [
      'a spec the MLModel schema rejects',
      { ...model, spec: { ...model.spec, type: 'clustering' } },
      /entities\[0\]: Invalid MLModel entity mlmodel:default\/churn-lite: .*type/,
    ],
    [
      'a trainedOn reference to the wrong kind',
      { ...model, spec: { ...model.spec, trainedOn: ['component:x'] } },
      /entities\[0\]: .*\/spec\/trainedOn\/0 must reference an entity of kind Dataset/,
    ],
    [
      'a name outside the project pattern',
      { ...model, metadata: { name: 'Churn_Lite' } },
      /entities\[0\]\.metadata\.name must be 2 to 63 characters/,
    ],
    [
      'template syntax in free text',
      {
        ...model,
        metadata: { ...model.metadata, description: 'uses ${{ secrets.x }}' },
      },
      /entities\[0\]\.metadata\.description must not contain template syntax \("\{\{"\)/,
    ],
    [
      'Jinja block syntax deep in the spec',
      {
        ...model,
        spec: {
          ...model.spec,
          modelCard: { intendedUse: '{% include "x" %}' },
        },
      },
      /entities\[0\]\.spec\.modelCard\.intendedUse must not contain template syntax \("\{%"\)/,
    ],
    [
      'a dataset location that climbs out of the entity directory',
      {
        apiVersion: 'mlops.synth.dev/v1alpha1',
        kind: 'Dataset',
        metadata: { name: 'leaky' },
        spec: {
          type: 'tabular',
          lifecycle: 'experimental',
          owner: 'team',
          location: './data/../../../etc/passwd',
          format: 'csv',
        },
      },
      /entities\[0\]\.spec\.location must not contain "\.\." segments/,
    ],
    [
      'an absolute training working directory',
      {
        ...model,
        spec: {
          ...model.spec,
          training: { entrypoint: 'python train.py', workingDir: '/srv' },
        },
      },
      /entities\[0\]\.spec\.training\.workingDir must be a URL or a path relative to the entity file/,
    ],
    [
      'a file URL as monitoring input',
      {
        ...model,
        spec: {
          ...model.spec,
          monitoring: {
            current: 'file:///etc/passwd',
            format: 'csv',
            schedule: { frequency: 'P1D' },
          },
        },
      },
      /entities\[0\]\.spec\.monitoring\.current must be a URL or a path relative/,
    ],
    [
      'a kind the action does not write',
      { ...api, kind: 'Component' },
      /entities\[0\]\.kind must be one of MLModel, Dataset, Feature, API; got "Component"/,
    ],
    [
      'a foreign root field',
      { ...model, status: {} },
      /entities\[0\] is not a valid entity/,
    ],
  ])('refuses %s, naming the field', async (_what, entity, message) => {
    await expect(run({ entities: [entity] }).promise).rejects.toThrow(message);
    expect(fs.existsSync(path.join(workspace.path, 'catalog-info.yaml'))).toBe(
      false,
    );
  });

  it('refuses an API entity the catalog rejects, with its reasons', async () => {
    catalog.validateEntity.mockResolvedValueOnce({
      valid: false,
      errors: [{ name: 'InputError', message: 'spec.definition is missing' }],
    });
    await expect(
      run({ entities: [model, { ...api, spec: { type: 'openapi' } }] }).promise,
    ).rejects.toThrow(
      'entities[1]: invalid API entity: spec.definition is missing',
    );
  });

  it('refuses the same entity twice', async () => {
    await expect(run({ entities: [model, model] }).promise).rejects.toThrow(
      'entities[1] repeats the entity mlmodel:default/churn-lite',
    );
  });

  it.each([
    ['../outside.yaml', 'must not contain ".." segments'],
    ['/etc/passwd', 'must be a relative path'],
    ['C:/x.yaml', 'must be a relative path'],
    ['a\\..\\b.yaml', 'must use forward slashes only'],
  ])('refuses the path %s', async (p, reason) => {
    await expect(run({ path: p, entities: [model] }).promise).rejects.toThrow(
      `path ${reason}`,
    );
  });

  it('refuses a path through a symbolic link that leaves the workspace', async () => {
    const outside = createMockDirectory();
    fs.symlinkSync(outside.path, path.join(workspace.path, 'escape'));
    await expect(
      run({ path: 'escape/catalog-info.yaml', entities: [model] }).promise,
    ).rejects.toThrow('path leaves the directory it must stay in');
    expect(fs.readdirSync(outside.path)).toEqual([]);
  });

  it('appends to an existing file once per call, refusing a repeated entity', async () => {
    const feature = (name: string): Entity => ({
      apiVersion: 'mlops.synth.dev/v1alpha1',
      kind: 'Feature',
      metadata: { name },
      spec: {
        type: 'numerical',
        lifecycle: 'experimental',
        owner: 'team',
        source: 'churn-training-snapshots',
        entity: { name: 'customer', joinKey: 'customer_id' },
      },
    });
    await run({ entities: [feature('tenure')], append: true }).promise;
    await run({ entities: [feature('charges')], append: true }).promise;
    const file = path.join(workspace.path, 'catalog-info.yaml');
    expect(
      yaml
        .parseAllDocuments(fs.readFileSync(file, 'utf8'))
        .map(d => d.toJSON()),
    ).toEqual([feature('tenure'), feature('charges')]);
    await expect(
      run({ entities: [feature('tenure')], append: true }).promise,
    ).rejects.toThrow(
      'path catalog-info.yaml already holds the entity feature:default/tenure',
    );
  });

  it('keeps an existing file unless overwrite is set', async () => {
    workspace.setContent({ 'catalog-info.yaml': 'old' });
    await expect(run({ entities: [model] }).promise).rejects.toThrow(
      'path catalog-info.yaml already exists in the workspace',
    );
    expect(
      fs.readFileSync(path.join(workspace.path, 'catalog-info.yaml'), 'utf8'),
    ).toBe('old');

    await run({ entities: [model], overwrite: true }).promise;
    expect(
      yaml.parse(
        fs.readFileSync(path.join(workspace.path, 'catalog-info.yaml'), 'utf8'),
      ),
    ).toEqual(model);
  });
});
