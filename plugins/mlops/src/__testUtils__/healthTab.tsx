import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  MockFetchApi,
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import { HttpResponse } from 'msw';
import { ReactElement } from 'react';
import { SWRConfig } from 'swr';
import {
  Deployment,
  DriftColumnResult,
  DriftReport,
  MLModelEntityV1alpha1,
  TrainingRun,
} from '@synth/plugin-mlops-common';
import { MlopsClient, mlopsApiRef } from '../api';
import { churnModel } from './fixtures';

/** The mlops backend's base URL in component tests. */
export const API = 'http://backstage:7007/api/mlops';
export const MODEL = `${API}/models/default/churn-classifier`;

/** The churn model with training parameters, a Lambda target, monitoring and an MLflow experiment. */
export const healthModel: MLModelEntityV1alpha1 = {
  ...churnModel,
  metadata: {
    ...churnModel.metadata,
    annotations: {
      'mlops.synth.dev/mlflow-experiment': 'customer-ml/churn-classifier',
    },
  },
  spec: {
    ...churnModel.spec,
    training: {
      entrypoint: 'python -m churn.train',
      workingDir: './training',
      parameters: [
        {
          name: 'n_estimators',
          type: 'integer',
          description: 'Number of boosting rounds.',
          default: 400,
          minimum: 50,
          maximum: 2000,
        },
        {
          name: 'learning_rate',
          type: 'number',
          default: 0.05,
          minimum: 0.001,
          maximum: 0.5,
        },
        {
          name: 'booster',
          type: 'string',
          default: 'gbtree',
          enum: ['gbtree', 'dart'],
        },
        { name: 'balance_classes', type: 'boolean', default: true },
      ],
    },
    monitoring: {
      current: '../data/churn-current.csv',
      format: 'csv',
      schedule: { frequency: 'P1D' },
    },
  },
};

/** Which permission names the policy allows; every other one is denied. */
export type PermissionDecisions = { allow: string[] } | 'allow-all';

/**
 * Renders a health-tab component for `entity` with the real MlopsClient
 * (requests go to msw) and a permission API that decides as told.
 */
export async function renderHealth(
  element: ReactElement,
  options: {
    entity?: MLModelEntityV1alpha1;
    permissions?: PermissionDecisions;
  } = {},
) {
  const decisions = options.permissions ?? 'allow-all';
  const authorized: string[] = [];
  const permissionApi = mockApis.permission({
    authorize: request => {
      authorized.push(request.permission.name);
      return decisions === 'allow-all' ||
        decisions.allow.includes(request.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY;
    },
  });
  const client = new MlopsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
    fetchApi: new MockFetchApi(),
  });
  const rendered = await renderInTestApp(
    <TestApiProvider
      apis={[
        [mlopsApiRef, client],
        [permissionApiRef, permissionApi],
      ]}
    >
      {/* usePermission caches decisions in SWR's global cache; a cache per
          render keeps one test's decisions out of the next. */}
      <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>
        <EntityProvider entity={options.entity ?? healthModel}>
          {element}
        </EntityProvider>
      </SWRConfig>
    </TestApiProvider>,
  );
  return { ...rendered, authorized };
}

const T0 = Date.parse('2026-11-20T10:00:00Z');
export const at = (minutes: number) =>
  new Date(T0 + minutes * 60_000).toISOString();

export function trainingRun(
  id: string,
  overrides: Partial<TrainingRun> = {},
): TrainingRun {
  return {
    id,
    modelRef: 'mlmodel:default/churn-classifier',
    status: 'succeeded',
    executor: 'local',
    parameters: { n_estimators: 400 },
    cancelRequested: false,
    createdBy: 'user:default/jane.doe',
    createdAt: at(0),
    updatedAt: at(5),
    startedAt: at(0),
    finishedAt: at(4),
    ...overrides,
  };
}

export function deployment(
  id: string,
  overrides: Partial<Deployment> = {},
): Deployment {
  return {
    id,
    modelRef: 'mlmodel:default/churn-classifier',
    version: '3',
    target: 'lambda',
    strategy: 'all-at-once',
    status: 'succeeded',
    details: {
      target: 'lambda',
      functionName: 'churn-classifier',
      alias: 'live',
      region: 'eu-west-1',
    },
    createdBy: 'user:default/jane.doe',
    createdAt: at(0),
    updatedAt: at(1),
    ...overrides,
  };
}

export function driftColumn(
  column: string,
  overrides: Partial<DriftColumnResult> = {},
): DriftColumnResult {
  return {
    column,
    type: 'numerical',
    method: 'ks',
    statistic: 0.1,
    pValue: 0.4,
    threshold: 0.05,
    comparison: '<=',
    drifted: false,
    referenceCount: 100,
    currentCount: 50,
    histogram: {
      kind: 'numerical',
      edges: [0, 10, 20, 30],
      reference: [50, 30, 20],
      current: [10, 15, 25],
    },
    ...overrides,
  };
}

export function driftReport(
  id: string,
  overrides: Partial<DriftReport> = {},
): DriftReport {
  return {
    id,
    entityRef: 'mlmodel:default/churn-classifier',
    status: 'succeeded',
    triggeredBy: 'schedule',
    createdAt: at(0),
    startedAt: at(0),
    finishedAt: at(1),
    reference: {
      source: 'catalog/data/churn-reference.csv',
      datasetRef: 'dataset:default/churn-training-snapshots',
      rows: 100,
    },
    current: { source: 'catalog/data/churn-current.csv', rows: 50 },
    dataset: {
      driftShare: 0.5,
      drifted: true,
      threshold: 0.5,
      columnCount: 2,
      driftedColumns: ['monthly_charges'],
    },
    ...overrides,
  };
}

/** An error answer exactly as the Backstage backend's error handler writes it. */
export function backendError(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/api/mlops' },
      response: { statusCode: status },
    },
    { status },
  );
}
