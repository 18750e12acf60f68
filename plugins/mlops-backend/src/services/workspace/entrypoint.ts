import { InputError } from '@backstage/errors';
import { parse, quote } from 'shell-quote';
import { TrainingParameterValue } from '@synth/plugin-mlops-common';
import { parameterArgs } from '../../lib/parameters';

/**
 * The shell command Ray runs: the entity's entrypoint followed by the
 * parameters as `--name value`, each value quoted for the shell.
 */
export function rayEntrypoint(
  entrypoint: string,
  parameters: Record<string, TrainingParameterValue>,
): string {
  const args = parameterArgs(parameters);
  return args.length ? `${entrypoint} ${quote(args)}` : entrypoint;
}

/**
 * The argv the local executor spawns without a shell. The entrypoint is
 * split like a shell would split words (quotes and backslashes), but
 * anything only a shell can do (pipes, redirections, `&&`, `;`, globs,
 * `$VAR`, backticks, comments) is refused with a message naming it.
 */
export function localArgv(
  entrypoint: string,
  parameters: Record<string, TrainingParameterValue>,
): string[] {
  if (/[`$]/.test(entrypoint)) {
    throw new InputError(
      `The local executor runs the entrypoint without a shell; '$' and '\`' are not supported in '${entrypoint}'`,
    );
  }
  const words: string[] = [];
  for (const token of parse(entrypoint)) {
    if (typeof token !== 'string') {
      let what = 'shell syntax';
      if ('op' in token) {
        what = `the shell operator '${token.op}'`;
      } else if ('comment' in token) {
        what = 'a comment';
      }
      throw new InputError(
        `The local executor runs the entrypoint without a shell; ${what} is not supported in '${entrypoint}'`,
      );
    }
    words.push(token);
  }
  if (words.length === 0) {
    throw new InputError('The entrypoint is empty');
  }
  return [...words, ...parameterArgs(parameters)];
}
