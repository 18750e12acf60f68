import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

type ContextOf<A> = A extends TemplateAction<any, any, any>
  ? Parameters<A['handler']>[0]
  : never;

/**
 * An action context for calling a handler directly, with the outputs it
 * produced. `@backstage/plugin-scaffolder-node-test-utils` is not used: its
 * newest release in the registry (0.3.14) is built against
 * plugin-scaffolder-node 0.13, and this repository resolves 1.0.
 */
export function createActionContext<A extends TemplateAction<any, any, any>>(
  _action: A,
  options: {
    input: ContextOf<A>['input'];
    workspacePath: string;
    credentials?: BackstageCredentials;
    isDryRun?: boolean;
    taskId?: string;
    stepId?: string;
    signal?: AbortSignal;
  },
): { ctx: ContextOf<A>; outputs: Record<string, unknown> } {
  const outputs: Record<string, unknown> = {};
  const ctx = {
    logger: mockServices.logger.mock(),
    workspacePath: options.workspacePath,
    input: options.input,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
    createTemporaryDirectory: () =>
      fs.mkdtemp(path.join(os.tmpdir(), 'mlops-action-')),
    getInitiatorCredentials: async () =>
      options.credentials ?? mockCredentials.user(),
    task: { id: options.taskId ?? 'task-1' },
    step: { id: options.stepId ?? 'step-1', name: 'step' },
    isDryRun: options.isDryRun ?? false,
    signal: options.signal,
  };
  return { ctx: ctx as unknown as ContextOf<A>, outputs };
}
