import { Entity } from '@backstage/catalog-model';
import {
  datasetEntityV1alpha1Validator,
  featureEntityV1alpha1Validator,
} from '@synth/plugin-mlops-common';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import {
  logOf,
  startScaffolder,
  writeDryRunOutput,
} from '../__testUtils__/scaffolder';

jest.setTimeout(120_000);

const DATASET_VALUES = {
  name: 'churn-events',
  description: 'One row per subscriber and month, labelled with churn.',
  owner: 'group:default/customer-ml',
  system: 'system:default/customer-intelligence',
  type: 'tabular',
  lifecycle: 'experimental',
  location: './data/churn-events.csv',
  format: 'csv',
  columns: [
    {
      name: 'tenure_months',
      type: 'numerical',
      description: 'Months subscribed.',
    },
    { name: 'contract_type', type: 'categorical' },
    { name: 'churned', type: 'boolean' },
  ],
  target: 'churned',
  publishTo: 'local',
};

const FEATURE_VALUES = {
  name: 'customer-usage',
  source: 'dataset:default/churn-events',
  owner: 'group:default/customer-ml',
  lifecycle: 'experimental',
  entityName: 'customer',
  joinKey: 'customer_id',
  group: 'customer_usage',
  features: [
    {
      name: 'logins-30d',
      type: 'numerical',
      description: 'Sign-ins in the last 30 days.',
      transformation: 'count(*) over 30 days',
    },
    { name: 'has-autopay', type: 'boolean' },
  ],
  publishTo: 'local',
};

function entitiesOf(dir: string): Entity[] {
  return yaml
    .parseAllDocuments(
      fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
    )
    .map(d => d.toJSON());
}

describe('the register-dataset and register-features templates', () => {
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  beforeAll(async () => {
    scaffolder = await startScaffolder();
  });

  afterAll(() => scaffolder.stop());

  it('register-dataset: writes a valid Dataset with the columns of the form', async () => {
    const result = await scaffolder.dryRun('register-dataset', DATASET_VALUES);
    expect(result.status).toBe(200);
    const dir = writeDryRunOutput(result);
    const [dataset, ...rest] = entitiesOf(dir);
    expect(rest).toEqual([]);
    await expect(datasetEntityV1alpha1Validator.check(dataset)).resolves.toBe(
      true,
    );
    expect(dataset).toEqual({
      apiVersion: 'mlops.synth.dev/v1alpha1',
      kind: 'Dataset',
      metadata: {
        name: 'churn-events',
        description: DATASET_VALUES.description,
      },
      spec: {
        type: 'tabular',
        lifecycle: 'experimental',
        owner: 'group:default/customer-ml',
        system: 'system:default/customer-intelligence',
        location: './data/churn-events.csv',
        format: 'csv',
        schema: { columns: DATASET_VALUES.columns, target: 'churned' },
      },
    });
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain(
      '# churn-events',
    );
    // The dry run checked the local publishing without writing anything.
    expect(logOf(result)).toContain('Dry run: would publish 2 files to');
    expect(fs.readdirSync(scaffolder.publishDir)).toEqual([]);
    expect(result.body.output?.links).toContainEqual(
      expect.objectContaining({ entityRef: 'dataset:default/churn-events' }),
    );
  });

  it('register-features: writes one valid Feature per row of the form', async () => {
    const result = await scaffolder.dryRun('register-features', FEATURE_VALUES);
    expect(result.status).toBe(200);
    const features = entitiesOf(writeDryRunOutput(result));
    expect(features.map(f => f.metadata.name)).toEqual([
      'logins-30d',
      'has-autopay',
    ]);
    for (const feature of features) {
      await expect(featureEntityV1alpha1Validator.check(feature)).resolves.toBe(
        true,
      );
    }
    expect(features[0].spec).toEqual({
      type: 'numerical',
      lifecycle: 'experimental',
      owner: 'group:default/customer-ml',
      source: 'dataset:default/churn-events',
      entity: { name: 'customer', joinKey: 'customer_id' },
      group: 'customer_usage',
      transformation: 'count(*) over 30 days',
    });
    expect(features[1].spec).not.toHaveProperty('transformation');
  });

  it.each([
    [
      'register-dataset',
      'an upper-case name',
      { ...DATASET_VALUES, name: 'Churn_Events' },
      'name',
    ],
    [
      'register-dataset',
      'a path as name',
      { ...DATASET_VALUES, name: '../escape' },
      'name',
    ],
    [
      'register-dataset',
      'template syntax in the description',
      { ...DATASET_VALUES, description: 'see ${{ secrets.token }}' },
      'description',
    ],
    [
      'register-dataset',
      'a location that climbs out with ..',
      { ...DATASET_VALUES, location: './data/../../etc/passwd' },
      'location',
    ],
    [
      'register-dataset',
      'an absolute location',
      { ...DATASET_VALUES, location: '/etc/passwd' },
      'location',
    ],
    [
      'register-dataset',
      'a file:// location',
      { ...DATASET_VALUES, location: 'file:///etc/passwd' },
      'location',
    ],
    [
      'register-features',
      'template syntax in a transformation',
      {
        ...FEATURE_VALUES,
        features: [
          { name: 'x1', type: 'numerical', transformation: '{% raw %}' },
        ],
      },
      'transformation',
    ],
    [
      'register-features',
      'a feature name with a space',
      {
        ...FEATURE_VALUES,
        features: [{ name: 'Bad Name', type: 'numerical' }],
      },
      'name',
    ],
  ])(
    '%s: the form refuses %s, naming the field',
    async (template, _label, values, field) => {
      const result = await scaffolder.dryRun(template, values);
      expect(result.status).toBe(400);
      expect(result.body.errors).toContainEqual(
        expect.objectContaining({
          property: expect.stringMatching(new RegExp(`\\.${field}$`)),
        }),
      );
    },
  );

  it.each(['register-dataset', 'register-features'])(
    '%s: publishing to GitHub takes the publish:github and catalog:register steps instead',
    async template => {
      const values =
        template === 'register-dataset' ? DATASET_VALUES : FEATURE_VALUES;
      const result = await scaffolder.dryRun(template, {
        ...values,
        publishTo: 'github',
        repoUrl: 'github.com?owner=acme&repo=ml-entities',
      });
      expect(result.status).toBe(200);
      const log = logOf(result);
      expect(log).toContain('Skipping step publish-local');
      expect(log).toContain(
        'Skipping because publish:github does not support dry-run',
      );
      expect(log).toContain(
        'Skipping because catalog:register does not support dry-run',
      );
      expect(fs.readdirSync(scaffolder.publishDir)).toEqual([]);
    },
  );

  it('register-dataset: a label column that is not a column is refused by the action', async () => {
    const result = await scaffolder.dryRun('register-dataset', {
      ...DATASET_VALUES,
      target: 'not_a_column',
    });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.body)).toMatch(
      /entities\[0\]: Invalid Dataset entity dataset:default\/churn-events: \/spec\/schema\/target must name one of the columns/,
    );
    expect(result.body.directoryContents).toBeUndefined();
  });
});
