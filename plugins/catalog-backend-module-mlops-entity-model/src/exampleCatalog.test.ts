import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  apiEntityV1alpha1Validator,
  Entity,
  entitySchemaValidator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  parseEntityRef,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import {
  DatasetEntityV1alpha1,
  isDatasetEntity,
  isFeatureEntity,
  isMLModelEntity,
  MLModelEntityV1alpha1,
  mlopsEntityValidators,
} from '@synth/plugin-mlops-common';
import { parseAllDocuments } from 'yaml';
import {
  eventually,
  listEntities,
  startCatalog,
} from './__testUtils__/catalog';

jest.setTimeout(120_000);

const CATALOG_DIR = path.resolve(__dirname, '../../../catalog');
const ROOT_FILE = path.join(CATALOG_DIR, 'all.yaml');

const validators = [
  apiEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  ...mlopsEntityValidators,
];

function listFiles(dir: string, extension: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return listFiles(full, extension);
    }
    return entry.name.endsWith(extension) ? [full] : [];
  });
}

function readEntities(file: string): Entity[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(document => {
    expect(document.errors).toEqual([]);
    return document.toJS() as Entity;
  });
}

function readCsv(file: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map(line => line.split(','));
  return { header, rows };
}

const files = listFiles(CATALOG_DIR, '.yaml');
const entitiesByFile = new Map(files.map(file => [file, readEntities(file)]));
const entities = [...entitiesByFile.values()].flat();
const models = entities.filter(isMLModelEntity);
const datasets = entities.filter(isDatasetEntity);
const features = entities.filter(isFeatureEntity);
const refOf = (entity: Entity) => stringifyEntityRef(entity);

/** Resolves a relative data path the way the processor does for file locations. */
function dataFileOf(entity: Entity, location: string): string {
  const file = [...entitiesByFile].find(([, list]) =>
    list.includes(entity),
  )![0];
  return path.resolve(path.dirname(file), location);
}

describe('the example catalog', () => {
  it('lists every file of catalog/ in all.yaml', () => {
    const [root] = entitiesByFile.get(ROOT_FILE)!;
    const targets = (root.spec?.targets as string[]).map(t =>
      path.resolve(CATALOG_DIR, t),
    );
    expect(targets.sort()).toEqual(files.filter(f => f !== ROOT_FILE).sort());
  });

  it('holds only valid entities with unique references', async () => {
    for (const entity of entities) {
      const results = await Promise.all(validators.map(v => v.check(entity)));
      expect({
        entity: refOf(entity),
        valid: results.filter(Boolean).length,
      }).toEqual({
        entity: refOf(entity),
        valid: 1,
      });
    }
    expect(new Set(entities.map(refOf)).size).toBe(entities.length);
  });

  it('has three teams with members, the guest among them, and two systems', () => {
    const teams = entities.filter(
      e => e.kind === 'Group' && e.spec?.type === 'team',
    );
    expect(teams).toHaveLength(3);
    const users = entities.filter(e => e.kind === 'User');
    for (const team of teams) {
      expect(
        users.filter(u =>
          (u.spec?.memberOf as string[]).includes(team.metadata.name),
        ).length,
      ).toBeGreaterThanOrEqual(2);
    }
    const guest = users.find(u => u.metadata.name === 'guest')!;
    expect(guest.spec?.memberOf).toEqual(['customer-ml']);
    expect(entities.filter(e => e.kind === 'System')).toHaveLength(2);
    // The guest's team owns some models, other teams own others.
    const owners = new Set(models.map(m => m.spec.owner));
    expect(owners).toContain('customer-ml');
    expect(owners.size).toBeGreaterThanOrEqual(3);
  });

  it('has at least eight models served by Lambda and by Ray Serve', () => {
    expect(models.length).toBeGreaterThanOrEqual(8);
    const targets = models.map(m => m.spec.serving?.target);
    expect(targets.filter(t => t === 'lambda').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(
      targets.filter(t => t === 'ray-serve').length,
    ).toBeGreaterThanOrEqual(2);
    expect(new Set(models.map(m => m.spec.type)).size).toBeGreaterThanOrEqual(
      6,
    );
  });

  it('has six datasets with schemas and at least twenty features', () => {
    expect(datasets).toHaveLength(6);
    for (const dataset of datasets) {
      expect(dataset.spec.schema?.columns.length).toBeGreaterThan(0);
    }
    expect(features.length).toBeGreaterThanOrEqual(20);
  });

  it('describes every model endpoint with an API entity', () => {
    const apis = new Set(entities.filter(e => e.kind === 'API').map(refOf));
    const provided = models.flatMap(m => m.spec.serving?.providesApis ?? []);
    expect(provided.length).toBe(models.filter(m => m.spec.serving).length);
    for (const api of provided) {
      expect(apis).toContain(
        stringifyEntityRef(parseEntityRef(api, { defaultKind: 'API' })),
      );
    }
  });

  it('monitors at least two models against sample data kept in the repository', () => {
    const monitored = models.filter(m => m.spec.monitoring);
    expect(monitored.length).toBeGreaterThanOrEqual(2);
    const datasetsByRef = new Map(datasets.map(d => [refOf(d), d]));
    for (const model of monitored) {
      const { monitoring, trainedOn } = model.spec as Required<
        MLModelEntityV1alpha1['spec']
      >;
      const referenceRef = monitoring.reference ?? trainedOn[0];
      const reference = datasetsByRef.get(
        stringifyEntityRef(
          parseEntityRef(referenceRef, { defaultKind: 'Dataset' }),
        ),
      ) as DatasetEntityV1alpha1;
      expect(reference).toBeDefined();
      const referenceFile = readCsv(
        dataFileOf(reference, reference.spec.location),
      );
      const currentFile = readCsv(dataFileOf(model, monitoring.current));
      const columns = reference.spec.schema!.columns.map(c => c.name);
      expect(referenceFile.header).toEqual(columns);
      expect(currentFile.header).toEqual(
        columns.filter(c => c !== reference.spec.schema!.target),
      );
      for (const { rows } of [referenceFile, currentFile]) {
        expect(rows.length).toBeGreaterThanOrEqual(200);
        expect(rows.length).toBeLessThanOrEqual(1000);
      }
      for (const column of Object.keys(monitoring.thresholds?.columns ?? {})) {
        expect(columns).toContain(column);
      }
    }
  });

  it('keeps the sample data that the seeded generator produces', () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-sample-data-'));
    try {
      const run = spawnSync(
        process.execPath,
        [path.join(CATALOG_DIR, 'data/generate.ts'), outDir],
        { encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      const generated = fs.readdirSync(outDir).sort();
      const committed = fs
        .readdirSync(path.join(CATALOG_DIR, 'data'))
        .filter(name => name.endsWith('.csv'))
        .sort();
      expect(generated).toEqual(committed);
      expect(generated.length).toBe(4);
      for (const name of generated) {
        expect(fs.readFileSync(path.join(outDir, name), 'utf8')).toBe(
          fs.readFileSync(path.join(CATALOG_DIR, 'data', name), 'utf8'),
        );
      }
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('loads into the catalog without errors, every reference resolving to an entity', async () => {
    const backend = await startCatalog({ locations: [ROOT_FILE] });
    try {
      const reverse: Record<string, string> = {
        ownedBy: 'ownerOf',
        partOf: 'hasPart',
        dependsOn: 'dependencyOf',
        providesApi: 'apiProvidedBy',
        memberOf: 'hasMember',
        childOf: 'parentOf',
        mlopsTrainedOn: 'mlopsTrainingDatasetOf',
        mlopsUsesFeature: 'mlopsFeatureUsedBy',
        mlopsDerivedFrom: 'mlopsSourceOf',
      };
      for (const [type, back] of Object.entries(reverse)) {
        reverse[back] = type;
      }
      const loaded = await eventually(async () => {
        const all = await listEntities(backend.server);
        // The files' entities plus the Location that app config adds.
        expect(all).toHaveLength(entities.length + 1);
        const byRef = new Map(all.map(e => [refOf(e), e]));
        const dangling: string[] = [];
        for (const entity of all) {
          for (const { type, targetRef } of entity.relations ?? []) {
            const target = byRef.get(targetRef);
            const back = target?.relations?.some(
              r => r.type === reverse[type] && r.targetRef === refOf(entity),
            );
            if (!back) {
              dangling.push(`${refOf(entity)} ${type} ${targetRef}`);
            }
          }
        }
        expect(dangling).toEqual([]);
        return all;
      }, 90_000);

      expect(backend.errors).toEqual([]);
      // The stitched entities, relations included, pass the catalog's own
      // entity schema (relation types must be word characters).
      const validateEntity = entitySchemaValidator();
      for (const entity of loaded) {
        expect(() => validateEntity(entity)).not.toThrow();
      }
      // Every model relates to its owner, its datasets and its features.
      for (const model of loaded.filter(isMLModelEntity)) {
        const types = model.relations!.map(r => r.type);
        expect(types).toEqual(
          expect.arrayContaining([
            'ownedBy',
            'partOf',
            'mlopsTrainedOn',
            'mlopsUsesFeature',
            'dependsOn',
          ]),
        );
        const reference = model.spec.monitoring?.reference;
        // The monitoring reference resolves although it emits no relation.
        expect(
          reference === undefined ||
            loaded.some(
              e =>
                refOf(e) ===
                stringifyEntityRef(
                  parseEntityRef(reference, { defaultKind: 'Dataset' }),
                ),
            ),
        ).toBe(true);
      }
      // Relative data paths were resolved to files that exist.
      for (const dataset of loaded.filter(isDatasetEntity)) {
        const { location } = dataset.spec;
        expect(location.startsWith('https://') || fs.existsSync(location)).toBe(
          true,
        );
      }
      for (const model of loaded.filter(isMLModelEntity)) {
        const current = model.spec.monitoring?.current;
        expect(current === undefined || fs.existsSync(current)).toBe(true);
      }
    } finally {
      await backend.stop();
    }
  });
});
