/**
 * Strings pandas' `read_csv` reads as missing by default (`na_values`).
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_PATTERN = /^[+-]?\d+$/;
const INFINITY_PATTERN = /^([+-]?)(?:inf|infinity)$/i;

/**
 * Parses a decimal number token the way pandas' CSV reader accepts them
 * (optional sign, digits, fraction, exponent, `inf`/`infinity` in any case),
 * with surrounding whitespace ignored. Returns undefined for anything else,
 * including hexadecimal and empty strings.
 */
export function parseNumberToken(token: string): number | undefined {
  const t = token.trim();
  if (NUMBER_PATTERN.test(t)) {
    return Number(t);
  }
  const inf = INFINITY_PATTERN.exec(t);
  if (inf) {
    return inf[1] === '-' ? -Infinity : Infinity;
  }
  return undefined;
}

/** True for an integer literal (pandas would give the column an int dtype). */
export function isIntegerToken(token: string): boolean {
  return INTEGER_PATTERN.test(token.trim());
}
