/**
 * Walks a token-paginated listing page by page and yields its items. Stops
 * when a page has no next token; throws if a listing hands out the same token
 * twice (a server that would otherwise be polled forever).
 *
 * @public
 */
export async function* paginate<T>(
  fetchPage: (
    pageToken: string | undefined,
  ) => Promise<{ items: T[]; nextPageToken?: string }>,
): AsyncGenerator<T> {
  const seen = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await fetchPage(pageToken);
    yield* page.items;
    pageToken = page.nextPageToken || undefined;
    if (pageToken !== undefined) {
      if (seen.has(pageToken)) {
        throw new Error(
          `The listing returned the page token '${pageToken}' twice`,
        );
      }
      seen.add(pageToken);
    }
  } while (pageToken !== undefined);
}

/**
 * Collects an async iterable into an array, failing once it yields more than
 * `limit` items so that an unexpectedly large upstream cannot exhaust memory.
 *
 * @public
 */
export async function collect<T>(
  items: AsyncIterable<T>,
  options: { limit: number; what: string },
): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) {
    if (result.length >= options.limit) {
      throw new RangeError(
        `${options.what}: more than ${options.limit} items; raise the limit or narrow the selection`,
      );
    }
    result.push(item);
  }
  return result;
}
