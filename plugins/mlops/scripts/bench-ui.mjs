#!/usr/bin/env node
// bench:ui - how fast the ML catalog page becomes usable with 10,000 MLModels.
//
// 1. Seeds 10,000 MLModel entities through a catalog file location: the models
//    are written to one YAML file and a config overlay adds that file to
//    `catalog.locations` (next to the example catalog) and gives the portal its
//    own SQLite directory, so the lead's development database is never touched.
// 2. Uses the portal on :3000/:7007 when one is running with that overlay;
//    starts one with it when the ports are free (and stops it afterwards).
// 3. Waits until the catalog has all 10,000 models, then drives headless
//    Chromium with Playwright: signs in as guest and measures, several times,
//      - time until the Models table is interactive (its first row link is
//        visible and enabled, checked in the page on every animation frame),
//        on a full page load of /ml and on in-app navigation from the
//        settings page through the sidebar;
//      - for full loads, where the time went (navigation, resource and paint
//        timing of the browser);
//      - the size of the first catalog by-query response of the page.
//    For comparison it also measures the unpaginated listing of all models.
// 4. Prints the figures against the targets (interactive <= 1.5 s, first
//    payload <= 200 KB). It is a benchmark, not a test: it exits 0 whatever
//    the figures, and non-zero only when it cannot measure.
//
// Usage: yarn workspace @synth/plugin-mlops bench:ui [--runs N] [--fresh]
//   --runs N   measurements per scenario (default 5)
//   --fresh    delete the bench database and seed again
// Environment: SYNTH_CHROMIUM (default /usr/bin/chromium),
//   SYNTH_BENCH_FRONTEND (default http://localhost:3000),
//   SYNTH_BENCH_BACKEND (default http://127.0.0.1:7007).
// When SYNTH_BENCH_FRONTEND is the backend itself (for example both
// http://localhost:7107), the page is measured as the backend serves the
// production bundle (build it first with `yarn workspace app build`), and the
// script starts only the backend. A backend port other than 7007 goes into the
// config overlay, so the bench portal can run next to the development portal
// or the end-to-end tests, which use :3000 and :7007.

import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const MODEL_COUNT = 10_000;
const BENCH_TAG = 'bench-ui';
const TARGET_INTERACTIVE_MS = 1500;
const TARGET_PAYLOAD_BYTES = 200 * 1024;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const workDir = join(tmpdir(), 'synth-bench-ui');
const modelsFile = join(workDir, 'models.yaml');
const configFile = join(workDir, 'app-config.bench-ui.yaml');
const sqliteDir = join(workDir, 'sqlite');
const portalLog = join(workDir, 'portal.log');

const frontend = process.env.SYNTH_BENCH_FRONTEND ?? 'http://localhost:3000';
const backend = process.env.SYNTH_BENCH_BACKEND ?? 'http://127.0.0.1:7007';
const chromiumPath = process.env.SYNTH_CHROMIUM ?? '/usr/bin/chromium';

const backendUrl = new URL(backend);
const backendPort = Number(backendUrl.port || 80);
// The production bundle: the backend serves the app itself.
const production = new URL(frontend).port === backendUrl.port;
const appDist = join(repoRoot, 'packages/app/dist');

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const fresh = args.includes('--fresh');

const log = message => process.stdout.write(`bench:ui: ${message}\n`);
const fail = message => {
  process.stderr.write(`bench:ui: error: ${message}\n`);
  process.exit(1);
};
const sleep = ms => new Promise(r => setTimeout(r, ms));

// --- 1. seed data and config overlay ---------------------------------------

const modelName = i => `bench-model-${String(i).padStart(5, '0')}`;
const modelNames = () =>
  Array.from({ length: MODEL_COUNT }, (_, i) => modelName(i + 1));

function writeSeed() {
  mkdirSync(workDir, { recursive: true });
  const owners = ['customer-ml', 'risk-ml', 'commerce-ml'];
  const types = ['classification', 'regression', 'ranking', 'forecasting'];
  const frameworks = ['xgboost', 'lightgbm', 'pytorch', 'scikit-learn'];
  const lifecycles = ['production', 'experimental', 'deprecated'];
  const docs = [];
  for (let i = 1; i <= MODEL_COUNT; i++) {
    const n = String(i).padStart(5, '0');
    docs.push(
      [
        'apiVersion: mlops.synth.dev/v1alpha1',
        'kind: MLModel',
        'metadata:',
        `  name: ${modelName(i)}`,
        `  title: Bench model ${n}`,
        `  description: Synthetic model ${n} seeded by bench:ui.`,
        `  tags: [${BENCH_TAG}]`,
        'spec:',
        `  type: ${types[i % types.length]}`,
        `  lifecycle: ${lifecycles[i % lifecycles.length]}`,
        `  owner: ${owners[i % owners.length]}`,
        `  framework: ${frameworks[i % frameworks.length]}`,
        '  modelCard:',
        '    intendedUse: Load testing the ML catalog page.',
        '    metrics:',
        `      - { name: roc_auc, value: ${(0.5 + (i % 500) / 1000).toFixed(
          3,
        )} }`,
      ].join('\n'),
    );
  }
  writeFileSync(modelsFile, `${docs.join('\n---\n')}\n`);
  // Arrays replace rather than merge across config files, so the overlay
  // repeats the example catalog location.
  // A backend port other than 7007 lets the bench portal run next to a
  // development portal or the e2e tests, which use :3000 and :7007.
  const appOrigin = production ? `http://localhost:${backendPort}` : frontend;
  const ownPort =
    backendPort === 7007
      ? []
      : [
          `  baseUrl: http://localhost:${backendPort}`,
          `  listen: { port: ${backendPort} }`,
          `  cors: { origin: ${JSON.stringify(appOrigin)}, credentials: true }`,
        ];
  writeFileSync(
    configFile,
    [
      '# Written by plugins/mlops/scripts/bench-ui.mjs; see that file.',
      ...(ownPort.length ? ['app:', `  baseUrl: ${appOrigin}`] : []),
      'backend:',
      ...ownPort,
      '  database:',
      '    client: better-sqlite3',
      '    connection:',
      `      directory: ${JSON.stringify(sqliteDir)}`,
      'catalog:',
      '  # Process each entity once; refresh passes would only add noise.',
      '  processingInterval: { minutes: 60 }',
      '  locations:',
      '    - type: file',
      `      target: ${JSON.stringify(join(repoRoot, 'catalog/all.yaml'))}`,
      '    - type: file',
      `      target: ${JSON.stringify(modelsFile)}`,
      '',
    ].join('\n'),
  );
}

// --- 2. the portal ------------------------------------------------------------

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.status < 500;
  } catch {
    return false;
  }
}

async function guestToken() {
  const res = await fetch(`${backend}/api/auth/guest/refresh`, {
    method: 'POST',
  });
  if (!res.ok) {
    throw new Error(`guest sign-in answered ${res.status}`);
  }
  return (await res.json()).backstageIdentity.token;
}

async function benchModelCount(token) {
  const res = await fetch(
    `${backend}/api/catalog/entities/by-query?filter=kind=mlmodel,metadata.tags=${BENCH_TAG}&limit=1&fields=metadata.name`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (!res.ok) {
    throw new Error(`catalog answered ${res.status}`);
  }
  return (await res.json()).totalItems;
}

/**
 * Asks the catalog to process again the bench models it has not finished.
 * Processing claims an entity by moving its next update a processing interval
 * ahead; when the development backend restarts mid-run (it does on every file
 * change) the claimed entities would otherwise wait that whole interval.
 */
async function refreshMissing(token) {
  const present = new Set();
  let cursor;
  do {
    const query = cursor
      ? `cursor=${encodeURIComponent(cursor)}`
      : `filter=kind=mlmodel,metadata.tags=${BENCH_TAG}`;
    const res = await fetch(
      `${backend}/api/catalog/entities/by-query?${query}&limit=1000&fields=metadata.name`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    const body = await res.json();
    body.items.forEach(item => present.add(item.metadata.name));
    cursor = body.pageInfo.nextCursor;
  } while (cursor);
  const missing = modelNames().filter(name => !present.has(name));
  log(
    `asking the catalog to process ${missing.length} unfinished models again`,
  );
  for (const name of missing) {
    await fetch(`${backend}/api/catalog/refresh`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ entityRef: `mlmodel:default/${name}` }),
    });
  }
}

function startPortal() {
  const configArgs = [
    '--config',
    join(repoRoot, 'app-config.yaml'),
    '--config',
    configFile,
  ];
  // For the production bundle only the backend runs; it serves
  // packages/app/dist. It runs the way `backstage-cli package start` runs it,
  // but without the CLI's file watcher: on a shared checkout every edit of a
  // backend plugin would restart it in the middle of the measurements.
  const [command, commandArgs, cwd] = production
    ? [
        process.execPath,
        [
          '--enable-source-maps',
          '--require',
          createRequire(import.meta.url).resolve(
            '@backstage/cli-node/config/nodeTransform.cjs',
          ),
          'src/index',
          ...configArgs,
        ],
        join(repoRoot, 'packages/backend'),
      ]
    : ['yarn', ['start', ...configArgs], repoRoot];
  log(
    `starting the portal: ${command} ${commandArgs.join(
      ' ',
    )} (log: ${portalLog})`,
  );
  const out = createWriteStream(portalLog);
  const child = spawn(command, commandArgs, {
    cwd,
    detached: true,
    env: {
      NODE_ENV: 'development',
      ...process.env,
      ESBK_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  return child;
}

function stopPortal(child) {
  if (child && child.exitCode === null) {
    log('stopping the portal it started');
    process.kill(-child.pid, 'SIGTERM');
  }
}

async function waitFor(what, check, timeoutMs, everyMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check().catch(() => undefined);
    if (result) {
      return result;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

// --- 3. measurements ----------------------------------------------------------

const median = values => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Resolves with the first by-query response of the page after `action`,
 * and how long the Models table took to become interactive.
 */
async function measure(page, action) {
  const firstQuery = page.waitForResponse(
    r => r.url().includes('/api/catalog/entities/by-query'),
    { timeout: 60_000 },
  );
  const start = Date.now();
  await action();
  // Checked in the page on every animation frame: Playwright's own waiting
  // (locator.waitFor) polls at growing intervals, up to 500 ms apart, which
  // would add up to half a second to the figure.
  const shownAt = await page.waitForFunction(
    () => {
      const link = document.querySelector(
        'table[aria-label="Models"] tbody a[href]',
      );
      const box = link?.getBoundingClientRect();
      return box && box.width > 0 && box.height > 0 ? Date.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const interactiveMs = (await shownAt.jsonValue()) - start;
  const firstRow = page
    .getByRole('table', { name: 'Models' })
    .getByRole('link')
    .first();
  await firstRow.waitFor({ state: 'visible', timeout: 60_000 });
  if (!(await firstRow.isEnabled())) {
    throw new Error('the first row link is not enabled');
  }
  const response = await firstQuery;
  // Let the page finish what it does after the first rows (the health
  // column's requests), so that it does not slow down the next measurement.
  await Promise.race([
    page.waitForLoadState('networkidle').catch(() => undefined),
    sleep(10_000),
  ]);
  const body = await response.body();
  const sizes = await response.request().sizes();
  return {
    interactiveMs,
    url: response.url(),
    payloadBytes: body.length,
    transferBytes: sizes.responseBodySize,
  };
}

const TABLE_RENDERED_MARK = 'mlops:catalog-table-rendered';

/**
 * Runs in the page after a full load: where the time went, in milliseconds
 * after navigation start, from the browser's navigation, resource and paint
 * timing. Scripts are counted until the table rendered (the bundle and the
 * chunks the page needed), API requests by path.
 */
function timeline(markName) {
  const round = n => (n === undefined ? undefined : Math.round(n));
  const nav = performance.getEntriesByType('navigation')[0];
  const markMs = performance.getEntriesByName(markName)[0]?.startTime;
  const resources = performance.getEntriesByType('resource');
  const scripts = resources.filter(
    r => r.initiatorType === 'script' && r.startTime < (markMs ?? Infinity),
  );
  const api = resources
    .filter(r => new URL(r.name).pathname.startsWith('/api/'))
    .map(r => ({
      path: new URL(r.name).pathname,
      start: round(r.startTime),
      end: round(r.responseEnd),
    }));
  const paint = name =>
    performance.getEntriesByType('paint').find(p => p.name === name)?.startTime;
  return {
    markMs,
    breakdown: {
      htmlMs: round(nav?.responseEnd),
      domContentLoadedMs: round(nav?.domContentLoadedEventEnd),
      firstContentfulPaintMs: round(paint('first-contentful-paint')),
      scriptCount: scripts.length,
      scriptKB: Math.round(
        scripts.reduce((sum, r) => sum + (r.encodedBodySize || 0), 0) / 1024,
      ),
      scriptsDoneMs: round(Math.max(0, ...scripts.map(r => r.responseEnd))),
      api,
      tableRenderedMs: round(markMs),
    },
  };
}

async function runBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    // Full loads of the development bundle take many seconds on a busy machine.
    page.setDefaultTimeout(120_000);
    const sidebarLink = page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'ML Catalog', exact: true });
    const enter = page.getByRole('button', { name: 'Enter' });

    // A light page to start in-app navigation from; the catalog index would
    // load every entity of the catalog first.
    const openStartPage = async () => {
      await page.goto(`${frontend}/settings`);
      await sidebarLink.or(enter).first().waitFor();
      if (await enter.isVisible()) {
        await enter.click();
        await sidebarLink.waitFor();
      }
    };

    // The development backend restarts when a file changes; a run it breaks
    // is repeated once the portal answers again.
    const attempt = async (what, fn) => {
      for (let i = 1; ; i++) {
        try {
          return await fn();
        } catch (error) {
          if (i === 3) {
            throw error;
          }
          log(
            `${what} failed (${String(error.message).split('\n')[0]}); again`,
          );
          await waitFor(
            'the backend',
            () => answers(`${backend}/.backstage/health/v1/readiness`),
            300_000,
          );
          await openStartPage();
        }
      }
    };

    await openStartPage();
    // Warm-up: the development server compiles and caches the page's chunks.
    await attempt('warm-up', () =>
      measure(page, () => page.goto(`${frontend}/ml`)),
    );

    const fullLoads = [];
    const navigations = [];
    for (let i = 1; i <= runs; i++) {
      const full = await attempt(`full load ${i}`, () =>
        measure(page, () => page.goto(`${frontend}/ml`)),
      );
      Object.assign(full, await page.evaluate(timeline, TABLE_RENDERED_MARK));
      fullLoads.push(full);
      const nav = await attempt(`navigation ${i}`, async () => {
        await openStartPage();
        return measure(page, () => sidebarLink.click());
      });
      navigations.push(nav);
      log(
        `run ${i}: full load ${
          full.interactiveMs
        } ms (table rendered ${Math.round(
          full.markMs ?? NaN,
        )} ms after navigation start), sidebar navigation ${
          nav.interactiveMs
        } ms, first payload ${nav.payloadBytes} bytes`,
      );
    }

    // The unpaginated listing a client-side table would load instead.
    const all = await fetch(
      `${backend}/api/catalog/entities?filter=kind=mlmodel`,
      { headers: { Authorization: `Bearer ${await guestToken()}` } },
    );
    const allBytes = (await all.arrayBuffer()).byteLength;

    return { fullLoads, navigations, allBytes };
  } finally {
    await browser.close();
  }
}

// --- 4. report ----------------------------------------------------------------

/** The median full load's timeline, one line per step. */
function breakdownLines(fullLoads) {
  const sorted = [...fullLoads].sort(
    (a, b) => a.interactiveMs - b.interactiveMs,
  );
  const b = sorted[Math.floor((sorted.length - 1) / 2)].breakdown;
  if (!b) {
    return [];
  }
  return [
    `  median full load, ms after navigation start: HTML ${b.htmlMs}, scripts (${b.scriptCount} files, ${b.scriptKB} KB compressed) loaded ${b.scriptsDoneMs}, DOMContentLoaded ${b.domContentLoadedMs}, first paint ${b.firstContentfulPaintMs}, table rendered ${b.tableRenderedMs}`,
    ...b.api.map(
      r => `    ${r.path}: ${r.start}–${r.end} (${r.end - r.start} ms)`,
    ),
  ];
}

function report({ fullLoads, navigations, allBytes }, modelCount) {
  const kb = bytes => `${(bytes / 1024).toFixed(1)} KB`;
  const verdict = ok => (ok ? 'within target' : 'OVER TARGET');
  const fullMedian = median(fullLoads.map(m => m.interactiveMs));
  const navMedian = median(navigations.map(m => m.interactiveMs));
  const payload = fullLoads[0];
  const lines = [
    '',
    `ML catalog page with ${modelCount} MLModels (${runs} runs each, headless Chromium, ${frontend})`,
    `  time to interactive, full load of /ml:     median ${fullMedian} ms, max ${Math.max(
      ...fullLoads.map(m => m.interactiveMs),
    )} ms  [${verdict(
      fullMedian <= TARGET_INTERACTIVE_MS,
    )}: <= ${TARGET_INTERACTIVE_MS} ms]`,
    `  time to interactive, sidebar navigation:   median ${navMedian} ms, max ${Math.max(
      ...navigations.map(m => m.interactiveMs),
    )} ms  [${verdict(
      navMedian <= TARGET_INTERACTIVE_MS,
    )}: <= ${TARGET_INTERACTIVE_MS} ms]`,
    `  table rendered on a full load (performance mark after navigation start): median ${Math.round(
      median(fullLoads.map(m => m.markMs ?? NaN)),
    )} ms`,
    ...breakdownLines(fullLoads),
    `  first API payload (by-query): ${payload.payloadBytes} bytes = ${kb(
      payload.payloadBytes,
    )}, ${payload.transferBytes} bytes on the wire  [${verdict(
      payload.payloadBytes <= TARGET_PAYLOAD_BYTES,
    )}: <= ${kb(TARGET_PAYLOAD_BYTES)}]`,
    `    ${payload.url.replace(backend, '')}`,
    `  baseline, unpaginated GET /api/catalog/entities?filter=kind=mlmodel: ${kb(
      allBytes,
    )}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  if (fresh) {
    rmSync(workDir, { recursive: true, force: true });
  }
  if (!existsSync(modelsFile) || !existsSync(configFile)) {
    log(`writing ${MODEL_COUNT} MLModels to ${modelsFile}`);
  }
  writeSeed();
  if (production && !existsSync(join(appDist, 'index.html'))) {
    fail(
      `${frontend} is the backend, which serves the production bundle, and ` +
        `there is none in ${appDist}: run 'yarn workspace app build' first`,
    );
  }

  let portal;
  const running = await answers(`${backend}/.backstage/health/v1/readiness`);
  if (!running) {
    portal = startPortal();
    const stop = () => {
      stopPortal(portal);
      process.exit(130);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  try {
    await waitFor(
      'the backend',
      () => answers(`${backend}/.backstage/health/v1/readiness`),
      300_000,
    );
    await waitFor('the frontend', () => answers(frontend), 300_000);
    let token = await waitFor('guest sign-in', guestToken, 120_000);
    if (running && (await benchModelCount(token)) === 0) {
      fail(
        `a portal is already running without the bench models. Stop it, or restart it with ` +
          `'yarn start --config ${join(
            repoRoot,
            'app-config.yaml',
          )} --config ${configFile}', ` +
          `and run bench:ui again`,
      );
    }
    const started = Date.now();
    let last = -1;
    let lastChange = Date.now();
    const count = await waitFor(
      `${MODEL_COUNT} bench models in the catalog`,
      async () => {
        // The development backend restarts when files change; sign in again when it does.
        token = await guestToken();
        const n = await benchModelCount(token);
        if (n === last && n < MODEL_COUNT && Date.now() - lastChange > 60_000) {
          await refreshMissing(token);
          lastChange = Date.now();
        }
        if (n !== last) {
          lastChange = Date.now();
          log(
            `${n} of ${MODEL_COUNT} bench models in the catalog after ${Math.round(
              (Date.now() - started) / 1000,
            )} s`,
          );
          last = n;
        }
        return n >= MODEL_COUNT ? n : undefined;
      },
      45 * 60_000,
      10_000,
    );
    const results = await runBrowser();
    report(results, count);
  } finally {
    stopPortal(portal);
  }
}

main().catch(error => fail(error.stack ?? String(error)));
