import { ResponseError } from '@backstage/errors';
import {
  deployment,
  driftColumn,
  driftReport,
  at,
} from '../__testUtils__/healthTab';
import { describeApiFailure } from './apiErrors';
import { targetStates } from './deployments';
import {
  deploymentMarkers,
  driftTrend,
  histogramBins,
  sortColumnsWorstFirst,
} from './drift';
import { progressFromLog } from './runProgress';
import { initialTrainingFormValues, parseTrainingForm } from './trainingForm';
import { MLModelTrainingParameter } from '@synth/plugin-mlops-common';

const parameters: MLModelTrainingParameter[] = [
  { name: 'n', type: 'integer', default: 10, minimum: 1, maximum: 100 },
  { name: 'lr', type: 'number', minimum: 0 },
  { name: 'mode', type: 'string', default: 'a', enum: ['a', 'b'] },
  { name: 'size', type: 'integer', default: 64, enum: [32, 64] },
  { name: 'flag', type: 'boolean' },
];

describe('trainingForm', () => {
  it('starts from the declared defaults', () => {
    expect(initialTrainingFormValues(parameters)).toEqual({
      n: '10',
      lr: '',
      mode: 'a',
      size: '64',
      flag: false,
    });
  });

  it('converts the values to their declared types', () => {
    expect(
      parseTrainingForm(parameters, {
        n: ' 42 ',
        lr: '0.5',
        mode: 'b',
        size: '32',
        flag: true,
      }),
    ).toEqual({
      ok: true,
      parameters: { n: 42, lr: 0.5, mode: 'b', size: 32, flag: true },
    });
  });

  it('names every field that breaks its declaration', () => {
    expect(
      parseTrainingForm(parameters, {
        n: '2.5',
        lr: '',
        mode: 'c',
        size: '48',
        flag: false,
      }),
    ).toEqual({
      ok: false,
      errors: {
        n: 'Must be a whole number',
        lr: 'Required',
        mode: 'One of a, b',
        size: 'One of 32, 64',
      },
    });
    expect(
      parseTrainingForm(parameters, { n: '0', lr: 'x', mode: 'a', size: '' }),
    ).toEqual({
      ok: false,
      errors: { n: 'At least 1', lr: 'Must be a number' },
    });
  });

  it('leaves an emptied field with a default to the backend', () => {
    expect(
      parseTrainingForm(parameters, { n: '', lr: '1', mode: '', size: '' }),
    ).toEqual({ ok: true, parameters: { lr: 1, flag: false } });
  });
});

describe('drift', () => {
  it('sorts drifted columns first, each group by how far past its threshold', () => {
    const sorted = sortColumnsWorstFirst([
      driftColumn('calm', { pValue: 0.9 }),
      driftColumn('close', { pValue: 0.06 }),
      driftColumn('bad', { pValue: 0.01, drifted: true }),
      driftColumn('worse', { pValue: 0.0001, drifted: true }),
      driftColumn('infinite', {
        method: 'chisquare',
        statistic: null,
        pValue: null,
        drifted: true,
      }),
      driftColumn('distance', {
        method: 'wasserstein',
        pValue: null,
        statistic: 0.3,
        threshold: 0.1,
        drifted: true,
      }),
    ]);
    expect(sorted.map(c => c.column)).toEqual([
      'infinite',
      'worse',
      'bad',
      'distance',
      'close',
      'calm',
    ]);
  });

  it('turns histograms into shares of each side, with bin ranges and "other"', () => {
    expect(
      histogramBins({
        kind: 'numerical',
        edges: [0, 0.5, 1],
        reference: [3, 1],
        current: [1, 1],
      }),
    ).toEqual([
      { label: '0–0.5', reference: 0.75, current: 0.5 },
      { label: '0.5–1', reference: 0.25, current: 0.5 },
    ]);
    expect(
      histogramBins({
        kind: 'categorical',
        categories: ['x'],
        reference: [1],
        current: [0],
        other: { reference: 1, current: 2 },
      }),
    ).toEqual([
      { label: 'x', reference: 0.5, current: 0 },
      { label: 'other', reference: 0.5, current: 1 },
    ]);
  });

  it('plots succeeded reports oldest first and marks deployments in range', () => {
    const points = driftTrend([
      driftReport('new', { finishedAt: at(30) }),
      driftReport('failed', { status: 'failed', dataset: undefined }),
      driftReport('old', { finishedAt: at(10) }),
    ]);
    expect(points.map(p => p.reportId)).toEqual(['old', 'new']);
    expect(
      deploymentMarkers(
        [
          deployment('before', { createdAt: at(0) }),
          deployment('in', { version: '5', createdAt: at(20) }),
          deployment('back', {
            version: '6',
            status: 'rolled-back',
            createdAt: at(25),
          }),
          deployment('broken', { status: 'failed', createdAt: at(21) }),
        ],
        { from: points[0].time, to: points[1].time },
      ),
    ).toEqual([
      { time: Date.parse(at(20)), label: 'v5' },
      { time: Date.parse(at(25)), label: 'v6 (rolled back)' },
    ]);
  });
});

describe('targetStates', () => {
  const serving = {
    target: 'lambda' as const,
    functionName: 'churn',
    alias: 'live',
  };

  it('reads the live version beside a canary', () => {
    const [state] = targetStates(
      [
        deployment('d2', { version: '2', status: 'canary', weight: 0.2 }),
        deployment('d1', { version: '1' }),
      ],
      serving,
    );
    expect(state.liveVersion).toBe('1');
    expect(state.canary).toMatchObject({ version: '2', weight: 0.2 });
    expect(state.latest?.id).toBe('d2');
  });

  it('reads the version before a rolled-back one as live', () => {
    const [state] = targetStates(
      [
        deployment('d2', { version: '2', status: 'rolled-back' }),
        deployment('d1', { version: '1' }),
      ],
      serving,
    );
    expect(state.liveVersion).toBe('1');
    expect(state.canary).toBeUndefined();
  });

  it('lists the declared target even before any deployment', () => {
    expect(targetStates([], serving)).toEqual([
      { target: 'lambda', location: 'churn:live', latest: undefined },
    ]);
  });
});

describe('progressFromLog', () => {
  it('reads the last progress line of the log', () => {
    expect(progressFromLog('epoch 1/4\nepoch 3/4\n')).toBe(0.75);
    expect(progressFromLog('step 10 of 40\nprogress: 50%\n')).toBe(0.5);
    expect(progressFromLog('progress: 50%\nround 9/10')).toBe(0.9);
    expect(progressFromLog('loading data\n')).toBeUndefined();
    expect(progressFromLog('epoch 5/4')).toBeUndefined();
  });
});

describe('describeApiFailure', () => {
  const response = (status: number, message: string) =>
    ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'E', message },
          request: { method: 'GET', url: '/' },
          response: { statusCode: status },
        }),
        { status, headers: { 'Content-Type': 'application/json' } },
      ) as any,
    );

  it.each([
    [403, 'forbidden', 'Not allowed'],
    [404, 'not-found', 'Not found'],
    [409, 'conflict', 'Conflict'],
    [503, 'engine', 'Engine error'],
    [500, 'error', 'Backend error (HTTP 500)'],
  ])('tells HTTP %s apart', async (status, kind, title) => {
    expect(describeApiFailure(await response(status, 'why'))).toMatchObject({
      kind,
      title,
    });
  });

  it('tells a backend that cannot be reached', () => {
    expect(describeApiFailure(new TypeError('Failed to fetch'))).toMatchObject({
      kind: 'unreachable',
      title: 'Backend unreachable',
    });
  });
});
