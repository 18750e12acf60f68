import { MLOPS_API_VERSION_V1ALPHA1 } from './constants';
import {
  isMLModelEntity,
  mlModelEntityV1alpha1Validator as validator,
} from './MLModelEntityV1alpha1';
import { fullMLModel, mutate } from './__testUtils__/fixtures';

const PREFIX = 'Invalid MLModel entity mlmodel:default/churn-classifier: ';

describe('mlModelEntityV1alpha1Validator', () => {
  it('accepts an entity that uses every field', async () => {
    await expect(validator.check(fullMLModel)).resolves.toBe(true);
  });

  it('accepts a minimal entity', async () => {
    await expect(
      validator.check({
        apiVersion: MLOPS_API_VERSION_V1ALPHA1,
        kind: 'MLModel',
        metadata: { name: 'm' },
        spec: { type: 'other', lifecycle: 'experimental', owner: 'team-a' },
      }),
    ).resolves.toBe(true);
  });

  it.each([
    ['another kind', 'kind', 'Component'],
    ['another apiVersion', 'apiVersion', 'backstage.io/v1alpha1'],
    ['a later version of the group', 'apiVersion', 'mlops.synth.dev/v1beta1'],
  ])('ignores %s', async (_name, path, value) => {
    await expect(
      validator.check(mutate(fullMLModel, path, value)),
    ).resolves.toBe(false);
  });

  it.each<[string, unknown]>([
    ['spec.owner', 'user:guest'],
    ['spec.owner', 'group:ml/customer-ml'],
    ['spec.system', 'system:default/customer-intelligence'],
    ['spec.trainedOn', ['dataset:other-ns/events', 'orders']],
    ['spec.features', undefined],
    [
      'spec.dependsOn',
      ['component:default/feature-store', 'resource:s3-bucket'],
    ],
    ['spec.modelCard', {}],
    ['spec.modelCard.metrics', []],
    ['spec.training', { entrypoint: 'python train.py', workingDir: '.' }],
    ['spec.training.runtimeEnv', {}],
    ['spec.training.parameters.0.minimum', -3],
    ['spec.training.parameters.1.enum', [1, 2.5]],
    [
      'spec.serving',
      { target: 'lambda', functionName: 'f_1-x', alias: 'live-2' },
    ],
    ['spec.serving', { target: 'ray-serve', application: 'ranker.v2' }],
    [
      'spec.serving',
      {
        target: 'ray-serve',
        application: 'ranker',
        routePrefix: '/rank',
        providesApis: ['api:ranker'],
      },
    ],
    ['spec.serving.region', 'us-gov-west-1'],
    ['spec.monitoring.reference', undefined],
    ['spec.monitoring.executor', 'ray'],
    ['spec.monitoring.executor', 'local'],
    ['spec.monitoring.thresholds', undefined],
    ['spec.monitoring.thresholds.columns', {}],
    ['spec.monitoring.thresholds.driftShare', 1],
    [
      'spec.monitoring.thresholds.columns.x',
      { method: 'wasserstein', threshold: 1.5 },
    ],
    ['spec.monitoring.thresholds.columns.x', { method: 'z', threshold: 1 }],
    ['spec.monitoring.schedule.frequency', 'P1D'],
    ['spec.monitoring.schedule.frequency', 'PT30M'],
    ['spec.monitoring.schedule.frequency', 'P1DT12H'],
    ['spec.monitoring.schedule.frequency', '0 6 * * *'],
    ['spec.monitoring.schedule.frequency', '*/15 * * * 1-5'],
    ['spec.monitoring.schedule.frequency', '0 0 6 * * MON'],
    ['spec.monitoring.current', 'https://data.example.com/churn/current.csv'],
    ['spec.monitoring.current', 's3://synth-ml/churn/current.parquet'],
    ['spec.monitoring.current', '/srv/data/current.csv'],
    ['spec.monitoring.current', '../data/current.csv'],
    ['spec.monitoring.format', 'parquet'],
    ['spec.monitoring.format', 'jsonl'],
    ...[
      'classification',
      'regression',
      'ranking',
      'forecasting',
      'embedding',
      'llm',
      'other',
    ].map(t => ['spec.type', t] as [string, unknown]),
  ])('accepts %s = %j', async (path, value) => {
    await expect(
      validator.check(mutate(fullMLModel, path, value)),
    ).resolves.toBe(true);
  });

  it.each<[string, unknown, string]>([
    // envelope
    ['spec', undefined, "<root> must have required property 'spec'"],
    ['spec', 'churn', '/spec must be object'],
    ['spec.trainedOn', [3], '/spec/trainedOn/0 must be string'],
    ['spec.modelCard', 'see README', '/spec/modelCard must be object'],
    [
      'spec.serving.providesApis',
      ['a', 'a'],
      '/spec/serving/providesApis must NOT have duplicate items',
    ],
    [
      'spec.dependsOn',
      ['resource:a', 'resource:a'],
      '/spec/dependsOn must NOT have duplicate items',
    ],
    ['spec.training', 'python train.py', '/spec/training must be object'],
    ['spec.serving', 'lambda', '/spec/serving must be object'],
    ['spec.monitoring', 'daily', '/spec/monitoring must be object'],
    // required fields
    ['spec.type', undefined, "/spec must have required property 'type'"],
    [
      'spec.lifecycle',
      undefined,
      "/spec must have required property 'lifecycle'",
    ],
    ['spec.owner', undefined, "/spec must have required property 'owner'"],
    [
      'spec.trainedon',
      ['x'],
      '/spec must NOT have additional properties - additionalProperty: trainedon',
    ],
    // type, lifecycle, framework
    [
      'spec.type',
      'clustering',
      '/spec/type must be equal to one of the allowed values',
    ],
    ['spec.type', 3, '/spec/type must be string'],
    [
      'spec.lifecycle',
      '',
      '/spec/lifecycle must NOT have fewer than 1 characters',
    ],
    [
      'spec.framework',
      '',
      '/spec/framework must NOT have fewer than 1 characters',
    ],
    ['spec.framework', ['xgboost'], '/spec/framework must be string'],
    // references
    ['spec.owner', 'group:', '/spec/owner must match pattern'],
    ['spec.owner', 'customer ml', '/spec/owner must match pattern'],
    [
      'spec.owner',
      'component:churn-service',
      '/spec/owner must reference an entity of kind Group or User, got "component:churn-service"',
    ],
    ['spec.system', 'a/b/c', '/spec/system must match pattern'],
    [
      'spec.system',
      'group:customer-ml',
      '/spec/system must reference an entity of kind System',
    ],
    [
      'spec.trainedOn',
      'churn-training-snapshots',
      '/spec/trainedOn must be array',
    ],
    ['spec.trainedOn', [], '/spec/trainedOn must NOT have fewer than 1 items'],
    [
      'spec.trainedOn',
      ['a', 'a'],
      '/spec/trainedOn must NOT have duplicate items',
    ],
    ['spec.trainedOn', ['dataset:'], '/spec/trainedOn/0 must match pattern'],
    [
      'spec.trainedOn',
      ['x', 'component:orders'],
      '/spec/trainedOn/1 must reference an entity of kind Dataset',
    ],
    ['spec.features', ['feature:a:b'], '/spec/features/0 must match pattern'],
    [
      'spec.features',
      ['dataset:tenure'],
      '/spec/features/0 must reference an entity of kind Feature',
    ],
    [
      'spec.features',
      ['a', 'a'],
      '/spec/features must NOT have duplicate items',
    ],
    [
      'spec.dependsOn',
      ['churn-model-bucket'],
      '/spec/dependsOn/0 must be an entity reference that includes a kind',
    ],
    ['spec.dependsOn', ['resource:'], '/spec/dependsOn/0 must match pattern'],
    // model card
    [
      'spec.modelCard.owner',
      'x',
      '/spec/modelCard must NOT have additional properties',
    ],
    [
      'spec.modelCard.intendedUse',
      '',
      '/spec/modelCard/intendedUse must NOT have fewer than 1 characters',
    ],
    [
      'spec.modelCard.limitations',
      42,
      '/spec/modelCard/limitations must be string',
    ],
    [
      'spec.modelCard.ethicalConsiderations',
      '',
      '/spec/modelCard/ethicalConsiderations must NOT have fewer than 1 characters',
    ],
    ['spec.modelCard.metrics', {}, '/spec/modelCard/metrics must be array'],
    [
      'spec.modelCard.metrics.0.name',
      undefined,
      "/spec/modelCard/metrics/0 must have required property 'name'",
    ],
    [
      'spec.modelCard.metrics.0.value',
      undefined,
      "/spec/modelCard/metrics/0 must have required property 'value'",
    ],
    [
      'spec.modelCard.metrics.0.name',
      '',
      '/spec/modelCard/metrics/0/name must NOT have fewer than 1 characters',
    ],
    [
      'spec.modelCard.metrics.0.value',
      '0.87',
      '/spec/modelCard/metrics/0/value must be number',
    ],
    [
      'spec.modelCard.metrics.0.split',
      '',
      '/spec/modelCard/metrics/0/split must NOT have fewer than 1 characters',
    ],
    [
      'spec.modelCard.metrics.0.description',
      '',
      '/spec/modelCard/metrics/0/description must NOT have fewer than 1 characters',
    ],
    [
      'spec.modelCard.metrics.0.unit',
      '%',
      '/spec/modelCard/metrics/0 must NOT have additional properties',
    ],
    // training
    [
      'spec.training.entrypoint',
      undefined,
      "/spec/training must have required property 'entrypoint'",
    ],
    [
      'spec.training.workingDir',
      undefined,
      "/spec/training must have required property 'workingDir'",
    ],
    [
      'spec.training.entrypoint',
      '',
      '/spec/training/entrypoint must NOT have fewer than 1 characters',
    ],
    [
      'spec.training.workingDir',
      '',
      '/spec/training/workingDir must NOT have fewer than 1 characters',
    ],
    [
      'spec.training.engine',
      'spark',
      '/spec/training/engine must be equal to one of the allowed values',
    ],
    [
      'spec.training.cluster',
      'x',
      '/spec/training must NOT have additional properties',
    ],
    [
      'spec.training.runtimeEnv.conda',
      'env.yaml',
      '/spec/training/runtimeEnv must NOT have additional properties',
    ],
    [
      'spec.training.runtimeEnv.pip',
      'xgboost',
      '/spec/training/runtimeEnv/pip must be array',
    ],
    [
      'spec.training.runtimeEnv.pip',
      [''],
      '/spec/training/runtimeEnv/pip/0 must NOT have fewer than 1 characters',
    ],
    [
      'spec.training.runtimeEnv.env_vars',
      { 'BAD-NAME': 'x' },
      '/spec/training/runtimeEnv/env_vars must match pattern',
    ],
    [
      'spec.training.runtimeEnv.env_vars',
      { EPOCHS: 3 },
      '/spec/training/runtimeEnv/env_vars/EPOCHS must be string',
    ],
    ['spec.training.parameters', {}, '/spec/training/parameters must be array'],
    [
      'spec.training.parameters.0.name',
      undefined,
      "/spec/training/parameters/0 must have required property 'name'",
    ],
    [
      'spec.training.parameters.0.type',
      undefined,
      "/spec/training/parameters/0 must have required property 'type'",
    ],
    [
      'spec.training.parameters.0.name',
      'max-depth',
      '/spec/training/parameters/0/name must match pattern',
    ],
    [
      'spec.training.parameters.0.type',
      'float',
      '/spec/training/parameters/0/type must be equal to one of the allowed values',
    ],
    [
      'spec.training.parameters.0.description',
      '',
      '/spec/training/parameters/0/description must NOT have fewer than 1 characters',
    ],
    [
      'spec.training.parameters.0.required',
      true,
      '/spec/training/parameters/0 must NOT have additional properties',
    ],
    [
      'spec.training.parameters.0.default',
      6.5,
      '/spec/training/parameters/0/default must be integer',
    ],
    [
      'spec.training.parameters.0.minimum',
      '2',
      '/spec/training/parameters/0/minimum must be number',
    ],
    [
      'spec.training.parameters.0.maximum',
      null,
      '/spec/training/parameters/0/maximum must be number',
    ],
    [
      'spec.training.parameters.0.enum',
      [1.5],
      '/spec/training/parameters/0/enum/0 must be integer',
    ],
    [
      'spec.training.parameters.1.default',
      'fast',
      '/spec/training/parameters/1/default must be number',
    ],
    [
      'spec.training.parameters.1.enum',
      [],
      '/spec/training/parameters/1/enum must NOT have fewer than 1 items',
    ],
    [
      'spec.training.parameters.1.enum',
      [0.1, 0.1],
      '/spec/training/parameters/1/enum must NOT have duplicate items',
    ],
    [
      'spec.training.parameters.1.enum',
      ['0.1'],
      '/spec/training/parameters/1/enum/0 must be number',
    ],
    [
      'spec.training.parameters.2.default',
      1,
      '/spec/training/parameters/2/default must be string',
    ],
    [
      'spec.training.parameters.2.enum',
      [1],
      '/spec/training/parameters/2/enum/0 must be string',
    ],
    [
      'spec.training.parameters.2.minimum',
      1,
      '/spec/training/parameters/2/minimum boolean schema is false',
    ],
    [
      'spec.training.parameters.2.maximum',
      1,
      '/spec/training/parameters/2/maximum boolean schema is false',
    ],
    [
      'spec.training.parameters.3.default',
      'yes',
      '/spec/training/parameters/3/default must be boolean',
    ],
    [
      'spec.training.parameters.3.enum',
      [true],
      '/spec/training/parameters/3/enum boolean schema is false',
    ],
    [
      'spec.training.parameters.3.minimum',
      0,
      '/spec/training/parameters/3/minimum boolean schema is false',
    ],
    [
      'spec.training.parameters.3.maximum',
      1,
      '/spec/training/parameters/3/maximum boolean schema is false',
    ],
    [
      'spec.training.parameters.1.name',
      'max_depth',
      '/spec/training/parameters must not declare the parameter "max_depth" more than once',
    ],
    // serving
    [
      'spec.serving.target',
      undefined,
      "/spec/serving must have required property 'target'",
    ],
    [
      'spec.serving.target',
      'sagemaker',
      '/spec/serving/target must be equal to one of the allowed values',
    ],
    [
      'spec.serving.functionName',
      undefined,
      "/spec/serving must have required property 'functionName'",
    ],
    [
      'spec.serving.alias',
      undefined,
      "/spec/serving must have required property 'alias'",
    ],
    [
      'spec.serving.functionName',
      'churn classifier',
      '/spec/serving/functionName must match pattern',
    ],
    [
      'spec.serving.functionName',
      'f'.repeat(65),
      '/spec/serving/functionName must match pattern',
    ],
    ['spec.serving.alias', '12', '/spec/serving/alias must match pattern'],
    [
      'spec.serving.alias',
      'live alias',
      '/spec/serving/alias must match pattern',
    ],
    [
      'spec.serving.region',
      'europe',
      '/spec/serving/region must match pattern',
    ],
    [
      'spec.serving.application',
      'churn',
      '/spec/serving/application boolean schema is false',
    ],
    [
      'spec.serving.routePrefix',
      '/churn',
      '/spec/serving/routePrefix boolean schema is false',
    ],
    [
      'spec.serving.memoryMb',
      512,
      '/spec/serving must NOT have additional properties',
    ],
    [
      'spec.serving.providesApis',
      ['component:churn-service'],
      '/spec/serving/providesApis/0 must reference an entity of kind API',
    ],
    [
      'spec.serving.providesApis',
      ['api:'],
      '/spec/serving/providesApis/0 must match pattern',
    ],
    [
      'spec.serving.providesApis',
      'churn-prediction-api',
      '/spec/serving/providesApis must be array',
    ],
    [
      'spec.serving',
      { target: 'ray-serve' },
      "/spec/serving must have required property 'application'",
    ],
    [
      'spec.serving',
      { target: 'ray-serve', application: 'a b' },
      '/spec/serving/application must match pattern',
    ],
    [
      'spec.serving',
      { target: 'ray-serve', application: 'a', routePrefix: 'rank' },
      '/spec/serving/routePrefix must match pattern',
    ],
    [
      'spec.serving',
      { target: 'ray-serve', application: 'a', functionName: 'f' },
      '/spec/serving/functionName boolean schema is false',
    ],
    [
      'spec.serving',
      { target: 'ray-serve', application: 'a', alias: 'live' },
      '/spec/serving/alias boolean schema is false',
    ],
    [
      'spec.serving',
      { target: 'ray-serve', application: 'a', region: 'eu-west-1' },
      '/spec/serving/region boolean schema is false',
    ],
    // monitoring
    [
      'spec.monitoring.current',
      undefined,
      "/spec/monitoring must have required property 'current'",
    ],
    [
      'spec.monitoring.format',
      undefined,
      "/spec/monitoring must have required property 'format'",
    ],
    [
      'spec.monitoring.schedule',
      undefined,
      "/spec/monitoring must have required property 'schedule'",
    ],
    [
      'spec.monitoring.current',
      'data/churn-current.csv',
      '/spec/monitoring/current must match pattern',
    ],
    [
      'spec.monitoring.current',
      '',
      '/spec/monitoring/current must NOT have fewer than 1 characters',
    ],
    [
      'spec.monitoring.format',
      'xlsx',
      '/spec/monitoring/format must be equal to one of the allowed values',
    ],
    [
      'spec.monitoring.reference',
      'dataset:',
      '/spec/monitoring/reference must match pattern',
    ],
    [
      'spec.monitoring.reference',
      'feature:tenure-months',
      '/spec/monitoring/reference must reference an entity of kind Dataset',
    ],
    [
      'spec.monitoring.schedule',
      {},
      "/spec/monitoring/schedule must have required property 'frequency'",
    ],
    [
      'spec.monitoring.schedule.frequency',
      'hourly',
      '/spec/monitoring/schedule/frequency must match pattern',
    ],
    [
      'spec.monitoring.schedule.frequency',
      'P',
      '/spec/monitoring/schedule/frequency must match pattern',
    ],
    [
      'spec.monitoring.schedule.frequency',
      'PT',
      '/spec/monitoring/schedule/frequency must match pattern',
    ],
    [
      'spec.monitoring.schedule.frequency',
      '0 6 * *',
      '/spec/monitoring/schedule/frequency must match pattern',
    ],
    [
      'spec.monitoring.schedule.frequency',
      { hours: 6 },
      '/spec/monitoring/schedule/frequency must be string',
    ],
    [
      'spec.monitoring.schedule.timeout',
      'PT1H',
      '/spec/monitoring/schedule must NOT have additional properties',
    ],
    [
      'spec.monitoring.thresholds.psi',
      0.2,
      '/spec/monitoring/thresholds must NOT have additional properties',
    ],
    [
      'spec.monitoring.thresholds.driftShare',
      0,
      '/spec/monitoring/thresholds/driftShare must be > 0',
    ],
    [
      'spec.monitoring.thresholds.driftShare',
      1.5,
      '/spec/monitoring/thresholds/driftShare must be <= 1',
    ],
    [
      'spec.monitoring.thresholds.columns.monthly_charges.method',
      'anova',
      '/spec/monitoring/thresholds/columns/monthly_charges/method must be equal to one of the allowed values',
    ],
    [
      'spec.monitoring.thresholds.columns.monthly_charges.method',
      undefined,
      "/spec/monitoring/thresholds/columns/monthly_charges must have required property 'method'",
    ],
    [
      'spec.monitoring.thresholds.columns.monthly_charges.threshold',
      undefined,
      "/spec/monitoring/thresholds/columns/monthly_charges must have required property 'threshold'",
    ],
    [
      'spec.monitoring.thresholds.columns.monthly_charges.threshold',
      0,
      '/spec/monitoring/thresholds/columns/monthly_charges/threshold must be > 0',
    ],
    [
      'spec.monitoring.thresholds.columns.monthly_charges.threshold',
      1.5,
      '/spec/monitoring/thresholds/columns/monthly_charges/threshold must be <= 1',
    ],
    [
      'spec.monitoring.thresholds.columns.monthly_charges.bins',
      10,
      '/spec/monitoring/thresholds/columns/monthly_charges must NOT have additional properties',
    ],
    [
      'spec.monitoring.executor',
      'spark',
      '/spec/monitoring/executor must be equal to one of the allowed values',
    ],
    [
      'spec.monitoring.window',
      'P7D',
      '/spec/monitoring must NOT have additional properties',
    ],
  ])('rejects %s = %j', async (path, value, expected) => {
    const entity = mutate(fullMLModel, path, value);
    await expect(validator.check(entity)).rejects.toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining(`${PREFIX}${expected}`),
      }),
    );
  });

  it('requires trainedOn when monitoring has no reference dataset', async () => {
    const withReference = mutate(fullMLModel, 'spec.trainedOn', undefined);
    await expect(validator.check(withReference)).resolves.toBe(true);
    const withoutReference = mutate(
      withReference,
      'spec.monitoring.reference',
      undefined,
    );
    await expect(validator.check(withoutReference)).rejects.toThrow(
      `${PREFIX}/spec must have required property 'trainedOn'`,
    );
  });

  it('names the namespace of the entity in the error', async () => {
    const entity = mutate(
      mutate(fullMLModel, 'metadata.namespace', 'risk'),
      'spec.type',
      'clustering',
    );
    await expect(validator.check(entity)).rejects.toThrow(
      'Invalid MLModel entity mlmodel:risk/churn-classifier: /spec/type',
    );
  });

  it('resolves reference kinds against the entity namespace', async () => {
    const entity = mutate(fullMLModel, 'metadata.namespace', 'risk');
    await expect(validator.check(entity)).resolves.toBe(true);
  });
});

describe('isMLModelEntity', () => {
  it('recognises MLModel entities of the mlops group only', () => {
    expect(isMLModelEntity(fullMLModel)).toBe(true);
    expect(isMLModelEntity(mutate(fullMLModel, 'kind', 'Dataset'))).toBe(false);
    expect(
      isMLModelEntity(
        mutate(fullMLModel, 'apiVersion', 'backstage.io/v1alpha1'),
      ),
    ).toBe(false);
  });
});
