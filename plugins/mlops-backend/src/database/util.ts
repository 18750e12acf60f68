import { InputError } from '@backstage/errors';
import { Knex } from 'knex';

// Row conversions and keyset pagination shared by the knex stores.

export function iso(date: Date): string {
  return date.toISOString();
}

export function toDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  return value instanceof Date ? value : new Date(value as string);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  return JSON.parse(String(value)) as T;
}

export function opt<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

export type Cursor = { t: string; id: string };

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(
    JSON.stringify({ t: iso(createdAt), id } satisfies Cursor),
  ).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (
      typeof parsed?.t === 'string' &&
      typeof parsed?.id === 'string' &&
      !Number.isNaN(Date.parse(parsed.t))
    ) {
      return { t: new Date(parsed.t).toISOString(), id: parsed.id };
    }
  } catch {
    // fall through
  }
  throw new InputError('Invalid cursor');
}

/**
 * One page of `query`, newest first, by keyset on (created_at, id): the rows
 * mapped by `toRecord` and the cursor of the next page when there is one.
 */
export async function listPage<T extends { createdAt: Date; id: string }>(
  query: Knex.QueryBuilder,
  page: { limit: number; cursor?: string },
  toRecord: (row: any) => T,
): Promise<{ items: T[]; nextCursor?: string }> {
  const rows = await applyCursor(query, page.cursor)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map(toRecord);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor(last.createdAt, last.id)
        : undefined,
  };
}

function applyCursor(query: Knex.QueryBuilder, cursor?: string) {
  if (!cursor) {
    return query;
  }
  const { t, id } = decodeCursor(cursor);
  return query.where(q =>
    q
      .where('created_at', '<', t)
      .orWhere(q2 => q2.where('created_at', '=', t).andWhere('id', '<', id)),
  );
}
