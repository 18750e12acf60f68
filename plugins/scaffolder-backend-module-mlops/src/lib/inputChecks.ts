import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import path from 'node:path';

/**
 * The project, model, dataset and feature names the templates accept: a
 * lower-case letter, then 1 to 62 lower-case letters, digits or hyphens. It
 * is a valid entity name, Lambda function name, Ray Serve application name,
 * Kubernetes resource name and directory name at once.
 *
 * @public
 */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;

/**
 * Sequences that open a template expression in Nunjucks, Jinja, Handlebars or
 * a GitHub Actions workflow (`${{`). Free text that reaches a generated file
 * must not contain them: the file may be rendered again by a tool that
 * evaluates them (reliability-security S14).
 *
 * @public
 */
export const TEMPLATE_SYNTAX_SEQUENCES = ['{{', '{%', '{#'] as const;

/**
 * Refuses a string field that is not a {@link NAME_PATTERN} name, naming the
 * field.
 *
 * @public
 */
export function assertName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new InputError(
      `${field} must be 2 to 63 characters of lower-case letters, digits and hyphens, starting with a letter (${NAME_PATTERN}); got ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

/**
 * Walks a JSON value and refuses any string that contains template syntax,
 * naming the field as a path such as `entities[0].metadata.description`.
 *
 * @public
 */
export function assertNoTemplateSyntax(value: unknown, field: string): void {
  if (typeof value === 'string') {
    const found = TEMPLATE_SYNTAX_SEQUENCES.find(s => value.includes(s));
    if (found) {
      throw new InputError(
        `${field} must not contain template syntax ("${found}")`,
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) =>
      assertNoTemplateSyntax(item, `${field}[${index}]`),
    );
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      assertNoTemplateSyntax(key, `${field} key`);
      assertNoTemplateSyntax(item, `${field}.${key}`);
    }
  }
}

/**
 * Resolves a relative path inside `root`, refusing absolute paths, `..`
 * segments, backslashes and NUL bytes with a message naming the field, and
 * then anything `resolveSafeChildPath` refuses (including symbolic links
 * that lead out of `root`).
 *
 * @public
 */
export function resolveRelativePath(
  root: string,
  value: string,
  field: string,
): string {
  const reason = pathProblem(value);
  if (reason) {
    throw new InputError(`${field} ${reason}; got ${JSON.stringify(value)}`);
  }
  try {
    return resolveSafeChildPath(root, value);
  } catch {
    throw new InputError(
      `${field} leaves the directory it must stay in; got ${JSON.stringify(
        value,
      )}`,
    );
  }
}

function pathProblem(value: string): string | undefined {
  if (value.length === 0) {
    return 'must not be empty';
  }
  if (value.includes('\0')) {
    return 'must not contain a NUL byte';
  }
  if (value.includes('\\')) {
    return 'must use forward slashes only';
  }
  if (path.posix.isAbsolute(value) || /^[a-zA-Z]:/.test(value)) {
    return 'must be a relative path';
  }
  if (value.split('/').includes('..')) {
    return 'must not contain ".." segments';
  }
  return undefined;
}
