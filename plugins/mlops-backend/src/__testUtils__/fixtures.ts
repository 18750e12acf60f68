import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MLModelEntityV1alpha1,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';

/** A temporary "repository": a catalog file and a training directory next to it. */
export function createTrainingRepo(): { root: string; catalogFile: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-test-repo-'));
  fs.mkdirSync(path.join(root, 'training', 'pkg'), { recursive: true });
  fs.copyFileSync(
    path.join(__dirname, 'train.py'),
    path.join(root, 'training', 'train.py'),
  );
  fs.writeFileSync(path.join(root, 'training', 'pkg', 'data.txt'), 'x');
  // Never copied: a link out of the directory and a .git directory.
  fs.symlinkSync('/etc/hostname', path.join(root, 'training', 'link'));
  fs.mkdirSync(path.join(root, 'training', '.git'));
  fs.writeFileSync(path.join(root, 'training', '.git', 'HEAD'), 'ref');
  const catalogFile = path.join(root, 'models.yaml');
  fs.writeFileSync(catalogFile, '# entities come from the catalog mock\n');
  return { root, catalogFile };
}

export const OWNER = 'group:default/team-a';
export const OWNER_USER = 'user:default/alice';
export const OTHER_USER = 'user:default/bob';

export function trainableModel(
  catalogFile: string,
  overrides: {
    name?: string;
    entrypoint?: string;
    serving?: MLModelEntityV1alpha1['spec']['serving'];
    workingDir?: string;
  } = {},
): MLModelEntityV1alpha1 {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'MLModel',
    metadata: {
      name: overrides.name ?? 'trainable',
      namespace: 'default',
      annotations: {
        [ANNOTATION_LOCATION]: `file:${catalogFile}`,
        [ANNOTATION_ORIGIN_LOCATION]: `file:${catalogFile}`,
      },
    },
    spec: {
      type: 'classification',
      lifecycle: 'experimental',
      owner: 'team-a',
      training: {
        engine: 'ray',
        entrypoint: overrides.entrypoint ?? 'python3 train.py',
        workingDir: overrides.workingDir ?? './training',
        runtimeEnv: { env_vars: { FROM_ENTITY: 'yes' } },
        parameters: [
          {
            name: 'epochs',
            type: 'integer',
            default: 2,
            minimum: 1,
            maximum: 100,
          },
          { name: 'learning_rate', type: 'number', default: 0.1, maximum: 1 },
          { name: 'mode', type: 'string', default: 'ok', enum: ['ok', 'fail'] },
          {
            name: 'sleep',
            type: 'number',
            default: 0,
            minimum: 0,
            maximum: 600,
          },
          { name: 'artifact', type: 'string' },
        ],
      },
      serving: overrides.serving ?? {
        target: 'lambda',
        functionName: 'trainable',
        alias: 'live',
        region: 'us-east-1',
      },
    },
    relations: [{ type: 'ownedBy', targetRef: OWNER }],
  };
}

export function untrainableModel(): Entity {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'MLModel',
    metadata: { name: 'no-training', namespace: 'default' },
    spec: {
      type: 'classification',
      lifecycle: 'experimental',
      owner: 'team-a',
    },
    relations: [{ type: 'ownedBy', targetRef: OWNER }],
  };
}
