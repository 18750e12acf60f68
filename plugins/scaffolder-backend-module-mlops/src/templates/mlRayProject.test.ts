import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { mlModelEntityV1alpha1Validator } from '@synth/plugin-mlops-common';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import {
  ensureVenv,
  expectCommandPasses,
  expectPytestPasses,
  run,
  startRay,
} from '../__testUtils__/python';
import {
  logOf,
  REPO_ROOT,
  startScaffolder,
  TestScaffolder,
  writeDryRunOutput,
} from '../__testUtils__/scaffolder';

jest.setTimeout(20 * 60_000);

const VALUES = {
  name: 'churn-ray',
  description: 'Churn probability per subscriber, trained on Ray.',
  owner: 'group:default/customer-ml',
  task: 'classification',
  namespace: 'ml',
  imageRepository: 'ghcr.io/acme/churn-ray',
  workers: 2,
  workerCpu: '2',
  workerMemory: '4Gi',
  replicas: 2,
  trainNow: true,
  publishTo: 'local',
};

describe('the ml-ray-project template', () => {
  let scaffolder: TestScaffolder;
  let rayBin: string;
  let lintBin: string;
  let rayEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    rayBin = ensureVenv('ray');
    lintBin = ensureVenv('project-lambda');
    rayEnv = startRay();
    scaffolder = await startScaffolder();
  });

  afterAll(() => scaffolder?.stop());

  async function generate(values: JsonObject): Promise<string> {
    const result = await scaffolder.dryRun('ml-ray-project', values);
    if (result.status !== 200) {
      throw new Error(
        `dry run answered ${result.status}: ${JSON.stringify(result.body)}`,
      );
    }
    expect(logOf(result)).toContain(
      'Dry run: would start a training run of mlmodel:default/churn-ray',
    );
    return writeDryRunOutput(result);
  }

  it('generates a project whose tests pass on a local Ray and whose manifests validate', async () => {
    const dir = await generate(VALUES);

    const [model, api, ...rest]: Entity[] = yaml
      .parseAllDocuments(
        fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
      )
      .map(d => d.toJSON());
    expect(rest).toEqual([]);
    await expect(mlModelEntityV1alpha1Validator.check(model)).resolves.toBe(
      true,
    );
    expect(model.spec).toMatchObject({
      training: {
        engine: 'ray',
        entrypoint: 'python train.py',
        workingDir: '.',
      },
      serving: {
        target: 'ray-serve',
        application: 'churn-ray',
        routePrefix: '/churn-ray',
        providesApis: ['api:default/churn-ray'],
      },
    });
    expect(api.kind).toBe('API');

    const job = yaml.parse(
      fs.readFileSync(path.join(dir, 'k8s', 'rayjob.yaml'), 'utf8'),
    );
    expect(job.spec.rayClusterSpec.workerGroupSpecs[0]).toMatchObject({
      replicas: 2,
      template: {
        spec: {
          containers: [
            expect.objectContaining({
              image: 'ghcr.io/acme/churn-ray:main',
              resources: {
                requests: { cpu: '2', memory: '4Gi' },
                limits: { cpu: '2', memory: '4Gi' },
              },
            }),
          ],
        },
      },
    });
    const ci = yaml.parse(
      fs.readFileSync(
        path.join(dir, '.github', 'workflows', 'ci.yaml'),
        'utf8',
      ),
    );
    expect(Object.keys(ci.jobs)).toEqual(['lint', 'test', 'package', 'deploy']);

    // Pins: the project runs on the Ray venv's versions, and its linters on the lint venv's.
    const pinsOf = (file: string) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(l => /==/.test(l) && !l.startsWith('#'))
        .map(l => l.trim());
    const rayPins = pinsOf(path.join(REPO_ROOT, 'requirements', 'ray.txt'));
    const lintPins = pinsOf(
      path.join(REPO_ROOT, 'requirements', 'project-lambda.txt'),
    );
    for (const pin of [
      ...pinsOf(path.join(dir, 'requirements.txt')),
      ...pinsOf(path.join(dir, 'requirements-dev.txt')),
    ]) {
      expect(rayPins).toContain(pin);
    }
    for (const pin of pinsOf(path.join(dir, 'requirements-lint.txt'))) {
      expect(lintPins).toContain(pin);
    }

    expectCommandPasses(
      path.join(lintBin, 'ruff'),
      ['check', '--no-cache', '.'],
      dir,
    );
    expect(
      expectCommandPasses(
        path.join(lintBin, 'python'),
        ['scripts/validate_k8s.py'],
        dir,
      ),
    ).toContain('3 files, Kubernetes');
    expect(
      expectPytestPasses(path.join(rayBin, 'python'), dir, rayEnv, 15 * 60_000),
    ).toBeGreaterThanOrEqual(15);
  });

  it('the manifest check fails on a field Kubernetes or KubeRay does not know', async () => {
    const dir = await generate(VALUES);
    const file = path.join(dir, 'k8s', 'rayservice.yaml');
    const service = yaml.parse(fs.readFileSync(file, 'utf8'));
    service.spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0].cpuLimit = 2;
    service.spec.serveConfig = 'x';
    fs.writeFileSync(file, yaml.stringify(service));
    const result = run(
      path.join(lintBin, 'python'),
      ['scripts/validate_k8s.py'],
      {
        cwd: dir,
      },
    );
    expect(result.status).toBe(1);
    expect(result.output).toContain(
      "workerGroupSpecs[0].template.spec.containers.0: Additional properties are not allowed ('cpuLimit' was unexpected)",
    );
    expect(result.output).toContain("'serveConfig' was unexpected");
  });

  it.each([
    ['a name that is a path', { name: '../x' }, 'name'],
    [
      'template syntax in the description',
      { description: 'a {{ b }}' },
      'description',
    ],
    [
      'an image repository with a space',
      { imageRepository: 'ghcr.io/a b' },
      'imageRepository',
    ],
    ['a namespace with upper case', { namespace: 'ML' }, 'namespace'],
  ])('the form refuses %s, naming the field', async (_what, values, field) => {
    const result = await scaffolder.dryRun('ml-ray-project', {
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
