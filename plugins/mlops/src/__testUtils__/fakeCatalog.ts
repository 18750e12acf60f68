import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { http, HttpResponse } from 'msw';

/**
 * A small in-memory stand-in for the catalog backend's HTTP API, enough for
 * the requests the ML catalog sends: `GET /entities/by-query` (filters, one
 * order field, full-text search, fields, limit, opaque cursors,
 * `totalItems=exclude`, `limit=0` for a count alone),
 * `GET /entity-facets` and `POST /entities/by-refs`. Every request URL is
 * recorded so tests can check what the page asked for.
 */
export function createFakeCatalog(entities: Entity[]) {
  const requests: URL[] = [];

  const read = (entity: Entity, path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (value, key) =>
          value && typeof value === 'object'
            ? (value as Record<string, unknown>)[key]
            : undefined,
        entity,
      );

  const values = (entity: Entity, path: string): string[] => {
    const value = read(entity, path);
    if (Array.isArray(value)) {
      return value.map(v => String(v).toLocaleLowerCase('en-US'));
    }
    return value === undefined || value === null
      ? []
      : [String(value).toLocaleLowerCase('en-US')];
  };

  const project = (entity: Entity, fields: string[]): Entity => {
    if (fields.length === 0) {
      return entity;
    }
    const result: Record<string, any> = {};
    for (const field of fields) {
      const value = read(entity, field);
      if (value === undefined) {
        continue;
      }
      const keys = field.split('.');
      let target = result;
      for (const key of keys.slice(0, -1)) {
        target[key] = target[key] ?? {};
        target = target[key];
      }
      target[keys[keys.length - 1]] = value;
    }
    return result as Entity;
  };

  const matches = (entity: Entity, filters: string[]) =>
    filters.length === 0 ||
    filters.some(set =>
      set.split(',').every(condition => {
        const [key, expected] = condition.split('=');
        const actual = values(entity, key);
        return expected === undefined
          ? actual.length > 0
          : actual.includes(expected.toLocaleLowerCase('en-US'));
      }),
    );

  type Listing = {
    filters: string[];
    order?: [string, string];
    term?: string;
    termFields: string[];
    offset: number;
    /** Like the catalog, the count of the first page travels in the cursor. */
    totalItems?: number;
  };

  const list = (listing: Listing) => {
    let result = entities.filter(e => matches(e, listing.filters));
    if (listing.term) {
      const term = listing.term.toLocaleLowerCase('en-US');
      result = result.filter(e =>
        listing.termFields.some(f => values(e, f).some(v => v.includes(term))),
      );
    }
    if (listing.order) {
      const [field, direction] = listing.order;
      // Like the catalog, entities without the order field are left out.
      result = result
        .filter(e => values(e, field).length > 0)
        .sort((a, b) => {
          const c = values(a, field)[0].localeCompare(values(b, field)[0]);
          return direction === 'desc' ? -c : c;
        });
    }
    return result;
  };

  const encode = (listing: Listing) =>
    Buffer.from(JSON.stringify(listing)).toString('base64');

  const handlers = [
    http.get('*/api/catalog/entities/by-query', ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      const params = url.searchParams;
      const limit = Number(params.get('limit') ?? 20);
      const fields = params.get('fields')?.split(',') ?? [];
      const cursor = params.get('cursor');
      const listing: Listing = cursor
        ? JSON.parse(Buffer.from(cursor, 'base64').toString())
        : {
            filters: params.getAll('filter'),
            order: params.get('orderField')?.split(',') as [string, string],
            term: params.get('fullTextFilterTerm') ?? undefined,
            termFields: params.get('fullTextFilterFields')?.split(',') ?? [],
            offset: 0,
          };
      const all = list(listing);
      // `totalItems=exclude` skips the count: the answer and its cursors say 0.
      listing.totalItems ??=
        params.get('totalItems') === 'exclude' ? 0 : all.length;
      const page = all.slice(listing.offset, listing.offset + limit);
      return HttpResponse.json({
        items: page.map(e => project(e, fields)),
        totalItems: listing.totalItems,
        pageInfo: {
          ...(limit > 0 &&
            listing.offset + limit < all.length && {
              nextCursor: encode({
                ...listing,
                offset: listing.offset + limit,
              }),
            }),
          ...(listing.offset > 0 && {
            prevCursor: encode({
              ...listing,
              offset: Math.max(0, listing.offset - limit),
            }),
          }),
        },
      });
    }),
    http.get('*/api/catalog/entity-facets', ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      const matching = entities.filter(e =>
        matches(e, url.searchParams.getAll('filter')),
      );
      const facets: Record<
        string,
        Array<{ value: string; count: number }>
      > = {};
      for (const facet of url.searchParams.getAll('facet')) {
        const counts = new Map<string, number>();
        for (const entity of matching) {
          const value = read(entity, facet);
          for (const v of Array.isArray(value) ? value : [value]) {
            if (typeof v === 'string') {
              counts.set(v, (counts.get(v) ?? 0) + 1);
            }
          }
        }
        facets[facet] = [...counts].map(([value, count]) => ({ value, count }));
      }
      return HttpResponse.json({ facets });
    }),
    http.post('*/api/catalog/entities/by-refs', async ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      const body = (await request.json()) as {
        entityRefs: string[];
        fields?: string[];
      };
      return HttpResponse.json({
        items: body.entityRefs.map(ref => {
          const entity = entities.find(
            e =>
              stringifyEntityRef(e).toLocaleLowerCase('en-US') ===
              ref.toLocaleLowerCase('en-US'),
          );
          return entity ? project(entity, body.fields ?? []) : null;
        }),
      });
    }),
  ];

  return {
    handlers,
    /** The by-query requests, in order. */
    /** The by-query requests for rows, in order. */
    queries: () =>
      requests.filter(
        u =>
          u.pathname.endsWith('/entities/by-query') &&
          u.searchParams.get('limit') !== '0',
      ),
    /** The by-query requests for a count alone (`limit=0`), in order. */
    counts: () =>
      requests.filter(
        u =>
          u.pathname.endsWith('/entities/by-query') &&
          u.searchParams.get('limit') === '0',
      ),
    requests,
  };
}
