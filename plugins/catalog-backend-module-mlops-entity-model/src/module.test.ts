import { startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleMlopsEntityModel } from './module';
import { MlopsEntitiesProcessor } from './processor';

describe('catalogModuleMlopsEntityModel', () => {
  it('adds the mlops entities processor to the catalog', async () => {
    const addProcessor = jest.fn();
    await startTestBackend({
      extensionPoints: [[catalogProcessingExtensionPoint, { addProcessor }]],
      features: [catalogModuleMlopsEntityModel],
    });
    expect(addProcessor).toHaveBeenCalledTimes(1);
    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(MlopsEntitiesProcessor),
    );
  });
});
