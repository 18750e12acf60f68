import { mockServices } from '@backstage/backend-test-utils';
import JSZip from 'jszip';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTrainingRepo,
  trainableModel,
} from '../../__testUtils__/fixtures';
import { localArgv, rayEntrypoint } from './entrypoint';
import { buildRayPackage } from './rayPackage';
import { parseTrainingResult } from './result';
import {
  readWorkingDir,
  resolveWorkingDir,
  writeWorkingDir,
} from './workingDir';

describe('working directories', () => {
  const repo = createTrainingRepo();
  const model = trainableModel(repo.catalogFile);
  const options = {
    roots: [] as string[],
    modelRef: 'mlmodel:default/trainable',
  };
  afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

  it('resolves a relative directory against the entity file', async () => {
    await expect(
      resolveWorkingDir(model, './training', options),
    ).resolves.toEqual({
      type: 'file',
      path: path.join(repo.root, 'training'),
    });
  });

  it('refuses to leave the entity directory unless a root allows it', async () => {
    await expect(resolveWorkingDir(model, '../', options)).rejects.toThrow(
      "leaves the entity's directory",
    );
    await expect(resolveWorkingDir(model, '/etc', options)).rejects.toThrow(
      'outside mlops.training.workingDirRoots',
    );
    await expect(
      resolveWorkingDir(model, path.join(repo.root, 'training'), {
        ...options,
        roots: [repo.root],
      }),
    ).resolves.toMatchObject({ type: 'file' });
    await expect(
      resolveWorkingDir(model, './missing', options),
    ).rejects.toThrow('which is not a directory');
  });

  it('passes engine URIs through and resolves url locations', async () => {
    await expect(
      resolveWorkingDir(model, 's3://bucket/pkg.zip', options),
    ).resolves.toEqual({
      type: 'uri',
      uri: 's3://bucket/pkg.zip',
    });
    const fromGithub = {
      ...model,
      metadata: {
        ...model.metadata,
        annotations: {
          'backstage.io/managed-by-location':
            'url:https://github.com/acme/ml/blob/main/models/catalog-info.yaml',
        },
      },
    };
    await expect(
      resolveWorkingDir(fromGithub, './training', options),
    ).resolves.toEqual({
      type: 'url',
      url: 'https://github.com/acme/ml/blob/main/models/training',
    });
    const nowhere = { ...model, metadata: { name: 'x' } };
    await expect(
      resolveWorkingDir(nowhere, './training', options),
    ).rejects.toThrow('has no file or url location');
  });

  it('copies files but never links or tool directories', async () => {
    const files = await readWorkingDir(
      { type: 'file', path: path.join(repo.root, 'training') },
      { maxBytes: 1_000_000 },
    );
    expect(files.map(f => f.path).sort()).toEqual(['pkg/data.txt', 'train.py']);
    await expect(
      readWorkingDir(
        { type: 'file', path: path.join(repo.root, 'training') },
        { maxBytes: 10 },
      ),
    ).rejects.toThrow('maxWorkingDirBytes');
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-write-'));
    await writeWorkingDir(target, files);
    expect(fs.readFileSync(path.join(target, 'pkg/data.txt'), 'utf8')).toBe(
      'x',
    );
    await expect(
      writeWorkingDir(target, [
        { path: '../escape.txt', content: Buffer.from(''), mode: 0o644 },
      ]),
    ).rejects.toThrow();
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('reads url working directories through the UrlReader', async () => {
    const urlReader = mockServices.urlReader.mock({
      readTree: async () =>
        ({
          files: async () => [
            { path: 'train.py', content: async () => Buffer.from('print(1)') },
            { path: '.git/HEAD', content: async () => Buffer.from('ref') },
          ],
        } as any),
    });
    const files = await readWorkingDir(
      { type: 'url', url: 'https://github.com/acme/ml/tree/main/training' },
      { urlReader, maxBytes: 1000 },
    );
    expect(files.map(f => f.path)).toEqual(['train.py']);
    expect(urlReader.readTree).toHaveBeenCalledWith(
      'https://github.com/acme/ml/tree/main/training',
    );
  });

  it('builds the same Ray package name for the same files', async () => {
    const files = [
      { path: 'b.py', content: Buffer.from('b'), mode: 0o644 },
      { path: 'a.py', content: Buffer.from('a'), mode: 0o755 },
    ];
    const first = await buildRayPackage(files);
    const second = await buildRayPackage([...files].reverse());
    expect(first.name).toMatch(/^_ray_pkg_[0-9a-f]{32}\.zip$/);
    expect(second.name).toBe(first.name);
    const zip = await JSZip.loadAsync(first.zip);
    expect(Object.keys(zip.files).sort()).toEqual(['a.py', 'b.py']);
  });
});

describe('entrypoints', () => {
  it('quotes parameters so the shell Ray uses passes them through unchanged', () => {
    const hostile = `it's; rm -rf / $(whoami) \`id\` "q" \\ !x *`;
    const command = rayEntrypoint("printf '%s\\n'", { name: hostile, n: 3 });
    expect(command.startsWith("printf '%s\\n' --name ")).toBe(true);
    const out = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(out.split('\n').slice(0, 4)).toEqual([
      '--name',
      hostile,
      '--n',
      '3',
    ]);
    expect(rayEntrypoint('python t.py', {})).toBe('python t.py');
  });

  it('splits words for the local executor and refuses shell syntax', () => {
    expect(localArgv(`python3 "my script.py" --mode 'a b'`, { n: 1 })).toEqual([
      'python3',
      'my script.py',
      '--mode',
      'a b',
      '--n',
      '1',
    ]);
    expect(localArgv('python3 t.py', { x: '$(whoami)' })).toEqual([
      'python3',
      't.py',
      '--x',
      '$(whoami)',
    ]);
    for (const [entrypoint, what] of [
      ['python t.py | tee log', "'|'"],
      ['python t.py && rm x', "'&&'"],
      ['python t.py > out', "'>'"],
      ['python t.py; ls', "';'"],
      ['python $HOME/t.py', "'$'"],
      ['python `x`', "'$' and '`'"],
      ['python t.py # note', 'a comment'],
    ]) {
      expect(() => localArgv(entrypoint, {})).toThrow(what);
    }
  });
});

describe('training results', () => {
  it('reads the last well-formed result line', () => {
    const log = [
      'mlops-result: {"metrics": {"auc": 0.5}}',
      'epoch 1',
      '  mlops-result: {"artifactUri": "s3://b/m.zip", "metrics": {"auc": 0.9, "bad": "x"}}',
      'mlops-result: not json',
      'prefix mlops-result: {"metrics": {"auc": 0.1}}',
      '',
    ].join('\n');
    expect(parseTrainingResult(log)).toEqual({
      artifactUri: undefined,
      metrics: { auc: 0.5 },
    });
    expect(
      parseTrainingResult(
        'mlops-result: {"artifactUri": "s3://b/m.zip", "metrics": {"auc": 0.9}}',
      ),
    ).toEqual({
      artifactUri: 's3://b/m.zip',
      metrics: { auc: 0.9 },
    });
    expect(parseTrainingResult('nothing here')).toEqual({});
  });
});
