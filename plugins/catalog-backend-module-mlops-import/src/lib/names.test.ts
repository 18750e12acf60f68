import { toCatalogTag, toEntityName } from './names';

describe('toEntityName', () => {
  it.each(['churn-classifier', 'Churn_Model.v2', 'a', 'x'.repeat(63)])(
    'keeps the valid name %s',
    name => {
      expect(toEntityName(name)).toEqual({ name, sanitized: false });
    },
  );

  it('sanitises other names and appends a stable hash of the original', () => {
    const result = toEntityName('Churn Model (EU)');
    expect(result).toEqual({
      name: expect.stringMatching(/^Churn-Model-EU-[0-9a-f]{6}$/),
      sanitized: true,
    });
    expect(toEntityName('Churn Model (EU)')).toEqual(result);
  });

  it('keeps names that sanitise alike apart', () => {
    const a = toEntityName('churn model')!.name;
    const b = toEntityName('churn/model')!.name;
    expect(a).not.toBe(b);
    expect(a.startsWith('churn-model-')).toBe(true);
    expect(b.startsWith('churn-model-')).toBe(true);
  });

  it('drops accents and trims separators at both ends', () => {
    expect(toEntityName('_Modèle prévision_')!.name).toMatch(
      /^Modele-prevision-[0-9a-f]{6}$/,
    );
  });

  it('cuts long names to 63 characters', () => {
    const name = toEntityName('m'.repeat(70))!.name;
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^m{56}-[0-9a-f]{6}$/);
  });

  it.each(['модель', '___', ''])(
    'gives nothing for %j, which has no letter or digit to keep',
    raw => {
      expect(toEntityName(raw)).toBeUndefined();
    },
  );
});

describe('toCatalogTag', () => {
  it.each([
    ['team', 'customer-ml', 'team:customer-ml'],
    ['Team', 'Customer ML', 'team:customer-ml'],
    ['gdpr', '', 'gdpr'],
    ['production-ready', 'true', 'production-ready'],
    ['env', 'eu_west/1', 'env:eu-west-1'],
    ['lang', 'c++', 'lang:c++'],
    ['x', 'y'.repeat(80), `x:${'y'.repeat(61)}`],
  ])('turns %s=%s into %s', (key, value, tag) => {
    expect(toCatalogTag(key, value)).toBe(tag);
  });

  it.each([
    ['__', ''],
    ['émoji', '🙂'.repeat(40)],
  ])('drops %s=%s, which leaves no valid tag', (key, value) => {
    expect(toCatalogTag(key, value)).toBeUndefined();
  });
});
