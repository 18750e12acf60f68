import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { mlModelEntityV1alpha1Validator } from '@synth/plugin-mlops-common';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { eventually } from '../__testUtils__/eventually';
import {
  ensureVenv,
  expectCommandPasses,
  expectPytestPasses,
} from '../__testUtils__/python';
import {
  logOf,
  REPO_ROOT,
  startScaffolder,
  TestScaffolder,
  writeDryRunOutput,
} from '../__testUtils__/scaffolder';

jest.setTimeout(15 * 60_000);

const VALUES = {
  name: 'churn-lite',
  description: 'Predicts which subscribers cancel within 30 days.',
  owner: 'group:default/customer-ml',
  system: 'system:default/customer-intelligence',
  task: 'classification',
  pythonVersion: '3.12',
  memory: 1024,
  timeout: 30,
  packaging: 'zip',
  trainNow: true,
  publishTo: 'local',
};

function readEntities(dir: string): Entity[] {
  return yaml
    .parseAllDocuments(
      fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
    )
    .map(d => d.toJSON());
}

function pins(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map(line => line.trim())
    .filter(line => /^[A-Za-z0-9_.[\],-]+==/.test(line))
    .sort();
}

describe('the ml-lambda-service template', () => {
  let scaffolder: TestScaffolder;
  let projectBin: string;
  let awsBin: string;

  beforeAll(async () => {
    projectBin = ensureVenv('project-lambda');
    awsBin = ensureVenv('aws');
    scaffolder = await startScaffolder({
      catalogEntitiesFile: path.join(REPO_ROOT, 'catalog', 'all.yaml'),
    });
    // catalog:fetch in the template reads the Dataset from the catalog.
    await eventually(async () => {
      const response = await request(scaffolder.server).get(
        '/api/catalog/entities/by-name/dataset/default/churn-training-snapshots',
      );
      if (response.status !== 200) {
        throw new Error(
          `the example catalog is not ingested yet (${response.status})`,
        );
      }
    }, 60_000);
  });

  afterAll(() => scaffolder?.stop());

  async function generate(values: JsonObject): Promise<string> {
    const result = await scaffolder.dryRun('ml-lambda-service', values);
    if (result.status !== 200) {
      throw new Error(
        `dry run answered ${result.status}: ${JSON.stringify(result.body)}`,
      );
    }
    expect(logOf(result)).toContain(
      'Dry run: would start a training run of mlmodel:default/',
    );
    return writeDryRunOutput(result);
  }

  it('from the bundled sample, as a zip: tests pass, lint is clean, the SAM template is valid', async () => {
    const dir = await generate(VALUES);

    const [model, api, ...rest] = readEntities(dir);
    expect(rest).toEqual([]);
    await expect(mlModelEntityV1alpha1Validator.check(model)).resolves.toBe(
      true,
    );
    expect(model.spec).toMatchObject({
      type: 'classification',
      owner: 'group:default/customer-ml',
      training: { entrypoint: 'python train.py', workingDir: '.' },
      serving: {
        target: 'lambda',
        functionName: 'churn-lite',
        alias: 'live',
        providesApis: ['api:default/churn-lite'],
      },
    });
    expect(model.spec).not.toHaveProperty('trainedOn');
    expect(api).toMatchObject({
      kind: 'API',
      metadata: { name: 'churn-lite' },
      spec: { type: 'openapi' },
    });
    expect(yaml.parse(api.spec!.definition as string).paths).toHaveProperty([
      '/predict',
      'post',
    ]);

    expect(fs.existsSync(path.join(dir, 'Dockerfile'))).toBe(false);
    const sam = fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8');
    expect(sam).toContain('Runtime: python3.12');
    expect(sam).toContain('AutoPublishAlias: live');

    const ci = yaml.parse(
      fs.readFileSync(
        path.join(dir, '.github', 'workflows', 'ci.yaml'),
        'utf8',
      ),
    );
    expect(Object.keys(ci.jobs)).toEqual(['lint', 'test', 'package', 'deploy']);
    expect(ci.jobs.lint.steps[1].with['python-version']).toBe(
      '${{ env.PYTHON_VERSION }}',
    );
    expect(ci.env.PYTHON_VERSION).toBe('3.12');

    // The project's pins are what its tests here run with.
    const venvPins = pins(
      path.join(REPO_ROOT, 'requirements', 'project-lambda.txt'),
    );
    for (const pin of [
      ...pins(path.join(dir, 'requirements.txt')),
      ...pins(path.join(dir, 'requirements-dev.txt')),
    ]) {
      expect(venvPins).toContain(pin);
    }

    expect(
      expectPytestPasses(path.join(projectBin, 'python'), dir),
    ).toBeGreaterThanOrEqual(12);
    expectCommandPasses(
      path.join(projectBin, 'ruff'),
      ['check', '--no-cache', '.'],
      dir,
    );
    expectCommandPasses(path.join(awsBin, 'cfn-lint'), ['template.yaml'], dir);
  });

  it('from a catalog Dataset, as a container image: its columns drive the model', async () => {
    const dir = await generate({
      ...VALUES,
      name: 'churn-image',
      dataset: 'dataset:default/churn-training-snapshots',
      features: [
        'feature:default/tenure-months',
        'feature:default/contract-type',
      ],
      packaging: 'image',
      pythonVersion: '3.13',
      memory: 2048,
      timeout: 60,
      region: 'eu-west-1',
    });

    const [model] = readEntities(dir);
    await expect(mlModelEntityV1alpha1Validator.check(model)).resolves.toBe(
      true,
    );
    expect(model.spec).toMatchObject({
      trainedOn: ['dataset:default/churn-training-snapshots'],
      features: [
        'feature:default/tenure-months',
        'feature:default/contract-type',
      ],
      serving: { region: 'eu-west-1' },
    });

    const config = JSON.parse(
      fs.readFileSync(path.join(dir, 'model_config.json'), 'utf8'),
    );
    expect(config).toMatchObject({
      dataset: 'dataset:default/churn-training-snapshots',
      target: 'churned',
      // The catalog resolved the Dataset's relative location against its file.
      data: {
        location: path.join(
          REPO_ROOT,
          'catalog',
          'data',
          'churn-reference.csv',
        ),
        format: 'csv',
      },
    });
    expect(config.columns).toContainEqual(
      expect.objectContaining({
        name: 'days_since_last_login',
        type: 'numerical',
      }),
    );

    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain(
      'FROM public.ecr.aws/lambda/python:3.13',
    );
    const sam = fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8');
    expect(sam).toContain('PackageType: Image');
    expect(sam).not.toContain('Runtime:');

    expectPytestPasses(path.join(projectBin, 'python'), dir);
    expectCommandPasses(
      path.join(projectBin, 'ruff'),
      ['check', '--no-cache', '.'],
      dir,
    );
    expectCommandPasses(path.join(awsBin, 'cfn-lint'), ['template.yaml'], dir);
  });

  it('publishing to GitHub takes the publish:github and catalog:register steps, then trains', async () => {
    const result = await scaffolder.dryRun('ml-lambda-service', {
      ...VALUES,
      publishTo: 'github',
      repoUrl: 'github.com?owner=acme&repo=churn-lite',
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
    expect(log).toContain(
      'Dry run: would start a training run of mlmodel:default/churn-lite',
    );
    expect(fs.readdirSync(scaffolder.publishDir)).toEqual([]);
  });

  it.each([
    ['a name with upper case', { name: 'Churn' }, 'name'],
    ['a name that is a path', { name: '../../etc' }, 'name'],
    [
      'template syntax in the description',
      { description: '{% include "x" %}' },
      'description',
    ],
    ['a made-up region', { region: 'mars-1' }, 'region'],
    ['too much memory', { memory: 20_000 }, 'memory'],
    ['an unknown packaging', { packaging: 'wheel' }, 'packaging'],
  ])('the form refuses %s, naming the field', async (_what, values, field) => {
    const result = await scaffolder.dryRun('ml-lambda-service', {
      ...VALUES,
      ...values,
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toContainEqual(
      expect.objectContaining({
        property: expect.stringMatching(new RegExp(`\\.${field}$`)),
      }),
    );
  });
});
