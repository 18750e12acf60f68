import path from 'node:path';
import { ConfigSources, FileConfigSource } from '@backstage/config-loader';

const root = path.resolve(__dirname, '../../..');

// The environment variables app-config.production.yaml reads (see the
// README's "Production" section), with example values.
const productionEnv: Record<string, string> = {
  APP_BASE_URL: 'https://portal.example.com',
  PORT: '7007',
  BACKEND_SECRET: 'backend-secret',
  POSTGRES_HOST: 'db.internal',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'backstage',
  POSTGRES_PASSWORD: 'secret',
  RAY_DASHBOARD_URL: 'http://ray-head.ml.svc:8265',
  MLFLOW_TRACKING_URI: 'http://mlflow.ml.svc:5000',
  AWS_REGION: 'eu-west-1',
};

async function loadConfig(files: string[], env: Record<string, string>) {
  const config = await ConfigSources.toConfig(
    ConfigSources.merge(
      files.map(file =>
        FileConfigSource.create({
          path: path.join(root, file),
          watch: false,
          substitutionFunc: async name => env[name],
        }),
      ),
    ),
  );
  return config;
}

describe('app-config files', () => {
  it('points development at the local moto Lambda with dummy credentials', async () => {
    const config = await loadConfig(['app-config.yaml'], {
      SYNTH_ROOT: root,
      PATH: '/usr/bin',
    });
    try {
      const lambda = config.getConfig('mlops.targets.lambda');
      expect(lambda.getString('endpoint')).toBe('http://127.0.0.1:5001');
      expect(lambda.getString('credentials.accessKeyId')).toBe('test');
      expect(lambda.getString('createFunction.roleArn')).toMatch(
        /^arn:aws:iam::\d{12}:role\//,
      );
      expect(config.getStringArray('mlops.drift.localDataRoots')).toEqual([
        '../../catalog/data',
      ]);
    } finally {
      config.close();
    }
  });

  it('drops every development-only engine setting in production', async () => {
    const config = await loadConfig(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    try {
      const lambda = config.getConfig('mlops.targets.lambda');
      expect(lambda.getString('region')).toBe('eu-west-1');
      // The AWS SDK's default endpoint and credential chain, never moto's.
      expect(lambda.getOptional('endpoint')).toBeUndefined();
      expect(lambda.getOptional('credentials')).toBeUndefined();
      expect(lambda.getOptional('createFunction')).toBeUndefined();
      expect(config.getOptional('mlops.drift.localDataRoots')).toBeUndefined();
      expect(config.getBoolean('mlops.executors.local.enabled')).toBe(false);
      expect(config.getString('mlops.executors.ray.url')).toBe(
        'http://ray-head.ml.svc:8265',
      );
      expect(config.getString('backend.database.client')).toBe('pg');
    } finally {
      config.close();
    }
  });
});
