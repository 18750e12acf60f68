import { defaultCatalogCollatorEntityTransformer } from '@backstage/plugin-search-backend-module-catalog';
import {
  churnDataset,
  churnModel,
  paymentsService,
  tenureFeature,
} from './__testUtils__/entities';
import {
  createMlopsCatalogCollatorEntityTransformer,
  mlopsCatalogCollatorEntityTransformer as transform,
} from './transformer';

describe('mlopsCatalogCollatorEntityTransformer', () => {
  it('adds the tags and ML fields of a model after its description', () => {
    const document = transform(churnModel);
    expect(document.text).toBe(
      [
        'Predicts the probability that a subscriber cancels.',
        'churn',
        'retention',
        'classification',
        'xgboost',
        'Target retention offers.',
        'roc_auc',
        'lambda',
        'churn-scorer',
        'churn-training-snapshots',
        'tenure-months',
        'monthly-charges',
      ].join(' : '),
    );
  });

  it('keeps the other fields of the default document', () => {
    const { text, ...rest } = transform(churnModel);
    const { text: _defaultText, ...defaults } =
      defaultCatalogCollatorEntityTransformer(churnModel);
    expect(rest).toEqual(defaults);
    expect(rest).toMatchObject({
      title: 'Churn classifier',
      kind: 'MLModel',
      type: 'classification',
      lifecycle: 'production',
      owner: 'customer-ml',
    });
  });

  it('adds the format, columns and target of a dataset', () => {
    const { text } = transform(churnDataset);
    expect(text.split(' : ')).toEqual([
      'Monthly subscriber snapshots labelled with churn.',
      'subscribers',
      'tabular',
      'parquet',
      'customer_id',
      'monthly_charges',
      'contract_type',
      'churned',
    ]);
  });

  it('gives a feature without description a text of its terms only', () => {
    expect(transform(tenureFeature).text).toBe(
      'numerical : customer_profile : customer : customer_id : churn-training-snapshots',
    );
  });

  it('leaves the documents of other kinds to the default transformer', () => {
    expect(transform(paymentsService)).toEqual(
      defaultCatalogCollatorEntityTransformer(paymentsService),
    );
    expect(transform(paymentsService).text).not.toContain('kotlin');
  });

  it('treats an entity of an mlops kind under another apiVersion as another kind', () => {
    const foreign = { ...churnModel, apiVersion: 'example.com/v1' };
    expect(transform(foreign)).toEqual(
      defaultCatalogCollatorEntityTransformer(foreign),
    );
  });

  it('wraps a custom base transformer', () => {
    const base = jest.fn(() => ({
      title: 'custom',
      text: 'base text',
      componentType: 'x',
      type: 'x',
      namespace: 'default',
      kind: 'MLModel',
      lifecycle: '',
      owner: '',
    }));
    const wrapped = createMlopsCatalogCollatorEntityTransformer(base);
    const document = wrapped(churnModel);
    expect(base).toHaveBeenCalledWith(churnModel);
    expect(document.title).toBe('custom');
    expect(document.text.startsWith('base text : churn : retention')).toBe(
      true,
    );
  });
});
