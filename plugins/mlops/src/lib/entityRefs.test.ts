import { collectRefs, parseSpecRef } from './entityRefs';
import { churnModel } from '../__testUtils__/fixtures';

describe('collectRefs', () => {
  it('merges relation targets with references written in the spec', () => {
    const entity = {
      ...churnModel,
      metadata: { ...churnModel.metadata, namespace: 'risk' },
      spec: {
        ...churnModel.spec,
        trainedOn: ['churn-training-snapshots', 'default/shared-snapshots'],
      },
      relations: [
        {
          type: 'mlopsTrainedOn',
          targetRef: 'dataset:risk/churn-training-snapshots',
        },
        { type: 'dependsOn', targetRef: 'dataset:risk/unrelated' },
      ],
    };
    expect(
      collectRefs(entity, {
        relation: 'mlopsTrainedOn',
        spec: { path: 'spec.trainedOn', defaultKind: 'Dataset' },
      }),
    ).toEqual([
      'dataset:default/shared-snapshots',
      'dataset:risk/churn-training-snapshots',
    ]);
  });

  it('reads only relations for reverse directions and skips what is not a reference', () => {
    const entity = {
      ...churnModel,
      spec: { ...churnModel.spec, trainedOn: [''] },
      relations: [
        { type: 'mlopsFeatureUsedBy', targetRef: 'mlmodel:default/b' },
        { type: 'mlopsFeatureUsedBy', targetRef: 'mlmodel:default/a' },
        { type: 'mlopsFeatureUsedBy', targetRef: 'mlmodel:default/a' },
      ],
    };
    expect(collectRefs(entity, { relation: 'mlopsFeatureUsedBy' })).toEqual([
      'mlmodel:default/a',
      'mlmodel:default/b',
    ]);
    expect(
      collectRefs(entity, {
        relation: 'mlopsTrainedOn',
        spec: { path: 'spec.trainedOn', defaultKind: 'Dataset' },
      }),
    ).toEqual([]);
  });
});

describe('parseSpecRef', () => {
  it('fills in the default kind and namespace', () => {
    expect(
      parseSpecRef('customer-ml', {
        defaultKind: 'group',
        defaultNamespace: 'x',
      }),
    ).toEqual({ kind: 'group', namespace: 'x', name: 'customer-ml' });
    expect(parseSpecRef('user:jane', { defaultKind: 'group' })).toEqual({
      kind: 'user',
      namespace: 'default',
      name: 'jane',
    });
    expect(parseSpecRef('', { defaultKind: 'group' })).toBeUndefined();
  });
});
