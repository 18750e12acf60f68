import { JsonObject } from '@backstage/types';
import {
  DATASET_KIND,
  FEATURE_KIND,
  MLMODEL_KIND,
  MLOPS_API_GROUP,
  MLOPS_API_VERSION_V1ALPHA1,
} from './constants';
import {
  DatasetEntityV1alpha1,
  datasetEntityV1alpha1Schema,
} from './DatasetEntityV1alpha1';
import {
  FeatureEntityV1alpha1,
  featureEntityV1alpha1Schema,
} from './FeatureEntityV1alpha1';
import {
  MLModelEntityV1alpha1,
  mlModelEntityV1alpha1Schema,
  MLModelLambdaServing,
  MLModelRayServeServing,
} from './MLModelEntityV1alpha1';
import { mlopsReferenceFields } from './relations';
import { mlopsEntityValidators } from '.';

type Schema = Record<string, any>;

const schemas: Array<[string, Schema]> = [
  [MLMODEL_KIND, mlModelEntityV1alpha1Schema],
  [DATASET_KIND, datasetEntityV1alpha1Schema],
  [FEATURE_KIND, featureEntityV1alpha1Schema],
];

function kindPart(schema: Schema): Schema {
  return schema.allOf[1];
}

/** Resolves a local `#/definitions/x` reference, keeping sibling keywords. */
function resolve(root: Schema, node: Schema): Schema {
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/definitions/')) {
    const { $ref, ...siblings } = node;
    const target = root.definitions[$ref.slice('#/definitions/'.length)];
    return { ...resolve(root, target), ...siblings };
  }
  return node;
}

describe.each(schemas)('the %s schema', (kind, schema) => {
  it('is a draft-07 schema that extends the base Entity', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema');
    expect(schema.$id).toBe(`${kind}V1alpha1`);
    expect(schema.allOf[0]).toEqual({ $ref: 'Entity' });
  });

  it('accepts exactly the mlops apiVersion and its own kind', () => {
    expect(kindPart(schema).properties.apiVersion).toEqual({
      enum: [MLOPS_API_VERSION_V1ALPHA1],
    });
    expect(MLOPS_API_VERSION_V1ALPHA1).toBe(`${MLOPS_API_GROUP}/v1alpha1`);
    expect(MLOPS_API_GROUP).not.toMatch(/backstage\.io/);
    expect(kindPart(schema).properties.kind).toEqual({ enum: [kind] });
  });

  it('shares its common definitions with the MLModel schema', () => {
    for (const [name, definition] of Object.entries(schema.definitions)) {
      expect(definition).toEqual(
        (mlModelEntityV1alpha1Schema.definitions as Schema)[name],
      );
    }
  });

  it('validates its own examples', async () => {
    const validator = mlopsEntityValidators.find(v => v.kind === kind)!;
    expect(schema.examples.length).toBeGreaterThan(0);
    for (const example of schema.examples) {
      await expect(validator.check(example)).resolves.toBe(true);
    }
  });

  it('lists every reference field in mlopsReferenceFields', () => {
    const found: string[] = [];
    const walk = (node: Schema, path: string) => {
      if (
        typeof node.$ref === 'string' &&
        /entityRef(List)?$/.test(node.$ref)
      ) {
        found.push(path);
        return;
      }
      for (const [key, child] of Object.entries<Schema>(
        node.properties ?? {},
      )) {
        if (typeof child === 'object') {
          walk(child, `${path}.${key}`);
        }
      }
    };
    walk(kindPart(schema).properties.spec, 'spec');
    const listed = mlopsReferenceFields
      .filter(field => field.kind === kind)
      .map(field => field.path);
    expect(found.sort()).toEqual([...new Set(listed)].sort());
  });
});

describe('mlopsReferenceFields', () => {
  it('gives every relation type a single reverse', () => {
    const reverses = new Map<string, string>();
    for (const field of mlopsReferenceFields) {
      for (const { type, reverse } of field.relations) {
        expect(reverses.get(type) ?? reverse).toBe(reverse);
        expect(reverses.get(reverse) ?? type).toBe(type);
        reverses.set(type, reverse);
        reverses.set(reverse, type);
      }
    }
  });

  it('prefixes custom relations and keeps default kinds allowed', () => {
    const standard = new Set([
      'ownedBy',
      'ownerOf',
      'partOf',
      'hasPart',
      'dependsOn',
      'dependencyOf',
      'providesApi',
      'apiProvidedBy',
    ]);
    for (const field of mlopsReferenceFields) {
      for (const { type, reverse } of field.relations) {
        for (const relation of [type, reverse]) {
          expect(
            standard.has(relation) || /^mlops[A-Z]\w+$/.test(relation),
          ).toBe(true);
        }
      }
      expect(
        !field.defaultKind ||
          !field.allowedKinds ||
          field.allowedKinds.includes(field.defaultKind),
      ).toBe(true);
    }
  });
});

/** Makes every optional field required, so an example must use them all. */
type DeepRequired<T> = T extends Array<infer U>
  ? Array<DeepRequired<U>>
  : T extends object
  ? { [K in keyof T]-?: DeepRequired<T[K]> }
  : T;

const mlModelSpec: DeepRequired<
  Omit<MLModelEntityV1alpha1['spec'], 'serving'>
> = {
  type: 'ranking',
  lifecycle: 'production',
  owner: 'commerce-ml',
  system: 'marketplace-intelligence',
  framework: 'lightgbm',
  modelCard: {
    intendedUse: 'Order search results.',
    limitations: 'English queries only.',
    ethicalConsiderations: 'No personal data.',
    metrics: [
      {
        name: 'ndcg@10',
        value: 0.42,
        split: 'test',
        description: 'Offline NDCG.',
      },
    ],
  },
  trainedOn: ['search-click-logs'],
  features: ['query-product-ctr-30d'],
  dependsOn: ['resource:search-index'],
  training: {
    engine: 'ray',
    entrypoint: 'python train.py',
    workingDir: './training',
    runtimeEnv: { pip: ['lightgbm==4.5.0'], env_vars: { SEED: '7' } },
    parameters: [
      {
        name: 'num_leaves',
        type: 'integer',
        description: 'Leaves per tree.',
        default: 63,
        enum: [31, 63, 127],
        minimum: 15,
        maximum: 255,
      },
    ],
  },
  monitoring: {
    current: './data/current.jsonl',
    format: 'jsonl',
    reference: 'search-click-logs',
    executor: 'ray',
    schedule: { frequency: 'P1D' },
    thresholds: {
      driftShare: 0.3,
      columns: { position: { method: 'psi', threshold: 0.2 } },
    },
  },
};
const lambdaServing: DeepRequired<MLModelLambdaServing> = {
  target: 'lambda',
  functionName: 'search-ranker',
  alias: 'live',
  region: 'eu-west-1',
  providesApis: ['search-ranking-api'],
};
const rayServing: DeepRequired<MLModelRayServeServing> = {
  target: 'ray-serve',
  application: 'search-ranker',
  routePrefix: '/rank',
  providesApis: ['search-ranking-api'],
};
const datasetSpec: DeepRequired<DatasetEntityV1alpha1['spec']> = {
  type: 'tabular',
  lifecycle: 'production',
  owner: 'commerce-ml',
  system: 'marketplace-intelligence',
  location: './data/clicks.jsonl',
  format: 'jsonl',
  schema: {
    columns: [
      {
        name: 'clicked',
        type: 'boolean',
        description: 'Whether the result was clicked.',
      },
    ],
    target: 'clicked',
  },
};
const featureSpec: DeepRequired<FeatureEntityV1alpha1['spec']> = {
  type: 'numerical',
  lifecycle: 'production',
  owner: 'commerce-ml',
  system: 'marketplace-intelligence',
  source: 'search-click-logs',
  entity: { name: 'product', joinKey: 'product_id' },
  group: 'product_engagement',
  transformation: 'clicks / impressions over 30 days',
};

/**
 * Lists the object keys of a value that the schema does not declare, and the
 * declared properties the value lacks. Maps with free keys (additionalProperties
 * schemas) are not compared.
 */
function keyMismatches(
  root: Schema,
  node: Schema,
  value: unknown,
  path: string,
): string[] {
  const resolved = resolve(root, node);
  if (Array.isArray(value)) {
    if (!resolved.items) {
      return [];
    }
    return value.flatMap((item, i) =>
      keyMismatches(root, resolved.items, item, `${path}/${i}`),
    );
  }
  if (typeof value !== 'object' || value === null || !resolved.properties) {
    return [];
  }
  const declared = Object.keys(resolved.properties);
  const present = Object.keys(value);
  return [
    ...present
      .filter(k => !declared.includes(k))
      .map(k => `${path}/${k} is not in the schema`),
    ...declared
      .filter(k => !present.includes(k))
      .map(k => `${path}/${k} is not in the type`),
    ...present
      .filter(k => declared.includes(k))
      .flatMap(k =>
        keyMismatches(
          root,
          resolved.properties[k],
          (value as any)[k],
          `${path}/${k}`,
        ),
      ),
  ];
}

describe('the TypeScript entity types', () => {
  it.each<[string, Schema, object, object]>([
    [
      MLMODEL_KIND,
      mlModelEntityV1alpha1Schema,
      { ...mlModelSpec, serving: lambdaServing },
      { ...mlModelSpec, serving: rayServing },
    ],
    [DATASET_KIND, datasetEntityV1alpha1Schema, datasetSpec, datasetSpec],
    [FEATURE_KIND, featureEntityV1alpha1Schema, featureSpec, featureSpec],
  ])(
    'declare the same %s fields as the schema',
    async (kind, schema, first, second) => {
      const validator = mlopsEntityValidators.find(v => v.kind === kind)!;
      for (const spec of [first, second]) {
        await expect(
          validator.check({
            apiVersion: MLOPS_API_VERSION_V1ALPHA1,
            kind,
            metadata: { name: 'example' },
            spec: spec as JsonObject,
          }),
        ).resolves.toBe(true);
      }
      // Both serving variants together cover every declared property.
      const merged = structuredClone(first) as any;
      if (merged.serving) {
        merged.serving = { ...merged.serving, ...(second as any).serving };
      }
      expect(
        keyMismatches(
          schema,
          kindPart(schema).properties.spec,
          merged,
          '/spec',
        ),
      ).toEqual([]);
    },
  );
});
