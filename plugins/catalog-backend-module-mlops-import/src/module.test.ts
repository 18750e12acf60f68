import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleMlopsImport } from './module';
import { FeastEntityProvider } from './providers/FeastEntityProvider';
import { MlflowEntityProvider } from './providers/MlflowEntityProvider';

describe('catalogModuleMlopsImport', () => {
  it('adds a provider per configured MLflow and Feast registry', async () => {
    const addEntityProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addEntityProvider }],
      ],
      features: [
        catalogModuleMlopsImport,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                mlflow: {
                  prod: { baseUrl: 'http://mlflow:5000', token: 'secret' },
                  staging: { baseUrl: 'http://mlflow-staging:5000' },
                },
                feast: {
                  features: {
                    baseUrl: 'http://feast:8888/api/v1',
                    schedule: {
                      frequency: { hours: 1 },
                      timeout: { minutes: 5 },
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    expect(addEntityProvider).toHaveBeenCalledTimes(1);
    const providers = addEntityProvider.mock.calls[0][0];
    expect(
      providers.map((p: { getProviderName(): string }) => p.getProviderName()),
    ).toEqual([
      'MlflowEntityProvider:prod',
      'MlflowEntityProvider:staging',
      'FeastEntityProvider:features',
    ]);
    expect(providers[0]).toBeInstanceOf(MlflowEntityProvider);
    expect(providers[2]).toBeInstanceOf(FeastEntityProvider);
  });

  it('adds no provider without configuration', async () => {
    const addEntityProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addEntityProvider }],
      ],
      features: [catalogModuleMlopsImport],
    });
    expect(addEntityProvider).not.toHaveBeenCalled();
  });

  it.each([
    [
      { mlflow: { a: { baseUrl: 'http://m', defaultOwner: 'component:web' } } },
      "catalog.providers.mlflow.a.defaultOwner must be a reference to a Group or User, got 'component:web'",
    ],
    [
      { mlflow: { a: { baseUrl: 'http://m', defaultType: 'clustering' } } },
      'catalog.providers.mlflow.a.defaultType must be one of',
    ],
    [
      { feast: { b: { baseUrl: 'feast:8888' } } },
      'catalog.providers.feast.b.baseUrl must be an http or https URL',
    ],
    [
      { feast: { b: { baseUrl: 'http://f/api/v1', repoPath: 'repo' } } },
      "catalog.providers.feast.b.repoPath must be an absolute path or a URL, got 'repo'",
    ],
    [
      { feast: { b: { baseUrl: 'http://f/api/v1', namespace: 'Feast_NS' } } },
      "catalog.providers.feast.b.namespace is not a valid namespace: 'Feast_NS'",
    ],
  ])('refuses to start with invalid config %j', async (providers, message) => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [catalogProcessingExtensionPoint, { addEntityProvider: jest.fn() }],
        ],
        features: [
          catalogModuleMlopsImport,
          mockServices.rootConfig.factory({ data: { catalog: { providers } } }),
        ],
      }),
    ).rejects.toThrow(message);
  });
});
