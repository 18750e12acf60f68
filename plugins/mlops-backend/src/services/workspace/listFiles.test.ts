import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listFiles } from './listFiles';

describe('listFiles', () => {
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-list-'));
    await fs.mkdir(path.join(root, 'b/deep'), { recursive: true });
    await fs.mkdir(path.join(root, '.git'));
    await fs.writeFile(path.join(root, 'z.txt'), 'zz');
    await fs.writeFile(path.join(root, 'a.py'), 'print(1)\n');
    await fs.writeFile(path.join(root, 'b/deep/c.txt'), 'c');
    await fs.writeFile(path.join(root, '.git/HEAD'), 'ref');
    await fs.chmod(path.join(root, 'a.py'), 0o755);
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function list(options: Parameters<typeof listFiles>[1]) {
    const files = [];
    for await (const file of listFiles(root, options)) {
      files.push(file);
    }
    return files;
  }

  it('lists regular files depth first in name order, with relative / paths and their stats', async () => {
    const files = await list({ onSymlink: 'skip' });
    expect(files.map(f => f.path)).toEqual([
      '.git/HEAD',
      'a.py',
      'b/deep/c.txt',
      'z.txt',
    ]);
    expect(files[1]).toMatchObject({
      full: path.join(root, 'a.py'),
      size: 9,
    });
    expect(files[1].mode & 0o777).toBe(0o755);
    expect(files[1].mtimeMs).toBeGreaterThan(0);
  });

  it('does not enter skipped directories', async () => {
    const files = await list({
      onSymlink: 'skip',
      skipDirs: new Set(['.git', 'deep']),
    });
    expect(files.map(f => f.path)).toEqual(['a.py', 'z.txt']);
  });

  it('never follows a symbolic link: skips it, or refuses it with the caller’s error', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-outside-'));
    await fs.writeFile(path.join(outside, 'secret'), 's');
    await fs.symlink(outside, path.join(root, 'b/link-dir'));
    await fs.symlink(path.join(outside, 'secret'), path.join(root, 'link'));
    try {
      expect((await list({ onSymlink: 'skip' })).map(f => f.path)).toEqual([
        '.git/HEAD',
        'a.py',
        'b/deep/c.txt',
        'z.txt',
      ]);
      await expect(
        list({ onSymlink: link => new Error(`refused ${link}`) }),
      ).rejects.toThrow('refused b/link-dir');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});
