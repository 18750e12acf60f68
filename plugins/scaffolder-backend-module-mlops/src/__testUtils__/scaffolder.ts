import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import { BackendFeature } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import catalogModuleMlopsEntityModel from '@synth/plugin-catalog-backend-module-mlops-entity-model';
import fs from 'node:fs';
import { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { scaffolderModuleMlops } from '../module';

/** The repository root, which holds templates/. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The directories {@link writeDryRunOutput} made; a scaffolder's stop() removes them. */
const generatedDirs: string[] = [];

/** The files of a template folder, as the dry-run API takes them. */
export function templateContents(name: string) {
  const root = path.join(REPO_ROOT, 'templates', name);
  const files: Array<{ path: string; base64Content: string }> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.isFile()) {
        files.push({
          path: path.relative(root, full).split(path.sep).join('/'),
          base64Content: fs.readFileSync(full).toString('base64'),
        });
      }
    }
  };
  walk(root);
  return {
    template: yaml.parse(
      fs.readFileSync(path.join(root, 'template.yaml'), 'utf8'),
    ) as JsonObject,
    directoryContents: files.filter(f => f.path !== 'template.yaml'),
  };
}

export type DryRunResult = {
  status: number;
  body: {
    errors?: unknown[];
    log?: Array<{
      body: { message: string; stepId?: string; status?: string };
    }>;
    output?: JsonObject;
    directoryContents?: Array<{
      path: string;
      base64Content: string;
      executable?: boolean;
    }>;
  };
};

/**
 * A backend with the real scaffolder, the real catalog (with the mlops
 * entity model, so the catalog's validate-entity endpoint knows the kinds)
 * and this module, configured like the quick start: local publishing into a
 * temporary directory that a file location of the catalog covers.
 */
export type TestScaffolder = {
  server: Server;
  publishDir: string;
  dryRun: (templateName: string, values: JsonObject) => Promise<DryRunResult>;
  stop: () => Promise<void>;
};

export async function startScaffolder(
  options: {
    catalogEntitiesFile?: string;
    /** Also read templates/<name>/template.yaml into the catalog. */
    templates?: boolean;
    features?: BackendFeature[];
    config?: JsonObject;
  } = {},
): Promise<TestScaffolder> {
  const publishDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-publish-'));
  const locations: JsonObject[] = [
    {
      type: 'file',
      target: path.join(publishDir, '*', 'catalog-info.yaml'),
      rules: [{ allow: ['MLModel', 'Dataset', 'Feature', 'API'] }],
    },
  ];
  if (options.catalogEntitiesFile) {
    locations.push({ type: 'file', target: options.catalogEntitiesFile });
  }
  if (options.templates) {
    locations.push({
      type: 'file',
      target: path.join(REPO_ROOT, 'templates', '*', 'template.yaml'),
      rules: [{ allow: ['Template'] }],
    });
  }
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleGithub,
      scaffolderModuleMlops,
      catalogPlugin,
      catalogModuleMlopsEntityModel,
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          scaffolder: { mlops: { localPublish: { directory: publishDir } } },
          catalog: {
            rules: [
              {
                allow: [
                  'Component',
                  'System',
                  'API',
                  'Location',
                  'Group',
                  'User',
                  'Template',
                  'MLModel',
                  'Dataset',
                  'Feature',
                ],
              },
            ],
            locations,
            processingInterval: { seconds: 1 },
          },
        },
      }),
    ],
  });

  async function dryRun(
    templateName: string,
    values: JsonObject,
  ): Promise<DryRunResult> {
    const { template, directoryContents } = templateContents(templateName);
    const response = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set('authorization', mockCredentials.user.header())
      .send({ template, values, secrets: {}, directoryContents });
    return { status: response.status, body: response.body };
  }

  return {
    server: backend.server,
    publishDir,
    dryRun,
    stop: async () => {
      await backend.stop();
      for (const dir of [publishDir, ...generatedDirs.splice(0)]) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Writes the workspace a dry run produced into a new temporary directory. */
export function writeDryRunOutput(result: DryRunResult): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-project-'));
  generatedDirs.push(dir);
  for (const file of result.body.directoryContents ?? []) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(file.base64Content, 'base64'), {
      mode: file.executable ? 0o755 : 0o644,
    });
  }
  return dir;
}

/** The log lines of a dry run, for failure messages. */
export function logOf(result: DryRunResult): string {
  return (result.body.log ?? []).map(l => l.body.message).join('\n');
}
