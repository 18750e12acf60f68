/**
 * Whether a URL from entity data may become a link: only http(s) and mailto,
 * never `javascript:` or `data:` URLs (S20).
 */
export function isSafeHref(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return ['http:', 'https:', 'mailto:'].includes(protocol);
  } catch {
    return false;
  }
}
