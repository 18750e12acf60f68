import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
  toError,
} from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CreateTrainingRunRequest,
  CreateTrainingRunResponse,
  MLMODEL_KIND,
} from '@synth/plugin-mlops-common';
import { assertNoTemplateSyntax } from '../lib/inputChecks';
import { examples } from './trainingTrigger.examples';

/**
 * The id of the action that starts a model's training run.
 *
 * @public
 */
export const TRAINING_TRIGGER_ACTION_ID = 'mlops:training:trigger';

const DEFAULT_WAIT_SECONDS = 120;
const MAX_WAIT_SECONDS = 900;
const REQUEST_TIMEOUT_MS = 30_000;

/** An answer worth asking again: the model is not ingested yet, or the backend is briefly away. */
class RetryableError extends Error {
  name = 'RetryableError';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('The task was cancelled'));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('The task was cancelled'));
      },
      { once: true },
    );
  });
}

/**
 * The Idempotency-Key of a task step: the same task and step always start
 * the same run, so a retried or recovered step never starts a second one.
 */
export function idempotencyKeyFor(taskId: string, stepId?: string): string {
  return `scaffolder:${taskId}:${stepId ?? TRAINING_TRIGGER_ACTION_ID}`
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, 255);
}

/**
 * Creates `mlops:training:trigger`: starts a training run of an MLModel
 * through the mlops backend (`POST /api/mlops/models/:namespace/:name/runs`)
 * on behalf of the user who runs the template.
 *
 * - The `Idempotency-Key` is derived from the task and step ids, so retries
 *   of this step (after a timeout, a 5xx or a recovered task) return the run
 *   the first attempt created; the backend flags those with
 *   `Idempotent-Replayed: true` and the action reports `replayed`.
 * - A model that the catalog has not ingested yet (404) and an unavailable
 *   backend (5xx, connection errors) are retried with backoff for
 *   `waitSeconds`; 400, 401, 403 and 409 fail at once with the backend's
 *   reason.
 * - In a dry run nothing is sent.
 *
 * @public
 */
export function createTrainingTriggerAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const { discovery, auth } = options;
  return createTemplateAction({
    id: TRAINING_TRIGGER_ACTION_ID,
    description:
      'Starts a training run of an MLModel through the mlops backend, idempotently per task step',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The MLModel, e.g. mlmodel:default/churn-lite (kind and namespace default to MLModel and default)',
            ),
        parameters: z =>
          z
            .record(z.union([z.string(), z.number(), z.boolean()]))
            .optional()
            .describe(
              'Training parameters; only those the model declares in spec.training.parameters are accepted',
            ),
        waitSeconds: z =>
          z
            .number()
            .int()
            .min(0)
            .max(MAX_WAIT_SECONDS)
            .optional()
            .describe(
              `How long to keep asking while the catalog has not ingested the model yet or the backend is unavailable. Default: ${DEFAULT_WAIT_SECONDS}`,
            ),
      },
      output: {
        runId: z => z.string().describe('The id of the training run'),
        status: z => z.string().describe('The status of the run when created'),
        replayed: z =>
          z
            .boolean()
            .describe(
              'True when an earlier attempt of this step had already started the run',
            ),
        runUrl: z => z.string().describe('The mlops backend URL of the run'),
      },
    },
    async handler(ctx) {
      let ref;
      try {
        ref = parseEntityRef(ctx.input.entityRef, {
          defaultKind: MLMODEL_KIND,
          defaultNamespace: 'default',
        });
      } catch (error) {
        throw new InputError(`entityRef is invalid: ${toError(error).message}`);
      }
      if (ref.kind.toLocaleLowerCase('en-US') !== 'mlmodel') {
        throw new InputError(
          `entityRef must reference an MLModel; got ${JSON.stringify(
            ctx.input.entityRef,
          )}`,
        );
      }
      const modelRef = stringifyEntityRef(ref);
      const parameters = ctx.input.parameters ?? {};
      assertNoTemplateSyntax(parameters, 'parameters');
      const body: CreateTrainingRunRequest = { parameters };
      const key = idempotencyKeyFor(ctx.task.id, ctx.step?.id);
      const baseUrl = await discovery.getBaseUrl('mlops');
      const runsUrl = `${baseUrl}/models/${encodeURIComponent(
        ref.namespace,
      )}/${encodeURIComponent(ref.name)}/runs`;

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would start a training run of ${modelRef} (POST ${runsUrl}, Idempotency-Key ${key})`,
        );
        ctx.output('runId', 'dry-run');
        ctx.output('status', 'pending');
        ctx.output('replayed', false);
        ctx.output('runUrl', `${baseUrl}/runs/dry-run`);
        return;
      }

      const initiator = await ctx.getInitiatorCredentials();
      const asUser = auth.isPrincipal(initiator, 'user');
      const waitMs = (ctx.input.waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000;
      const deadline = Date.now() + waitMs;
      let delay = 1000;
      for (let attempt = 1; ; attempt++) {
        try {
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: asUser
              ? initiator
              : await auth.getOwnServiceCredentials(),
            targetPluginId: 'mlops',
          });
          const result = await postRun({
            url: runsUrl,
            token,
            key,
            body,
            modelRef,
            asUser,
            signal: ctx.signal,
          });
          ctx.logger.info(
            result.replayed
              ? `Training run ${result.run.id} of ${modelRef} had already been started by an earlier attempt of this step (status ${result.run.status})`
              : `Started training run ${result.run.id} of ${modelRef} (status ${result.run.status})`,
          );
          ctx.output('runId', result.run.id);
          ctx.output('status', result.run.status);
          ctx.output('replayed', result.replayed);
          ctx.output(
            'runUrl',
            `${baseUrl}/runs/${encodeURIComponent(result.run.id)}`,
          );
          return;
        } catch (error) {
          if (!(error instanceof RetryableError)) {
            throw error;
          }
          if (Date.now() + delay > deadline) {
            throw new ServiceUnavailableError(
              `Could not start a training run of ${modelRef} within ${
                waitMs / 1000
              }s (${attempt} attempts): ${error.message}`,
            );
          }
          logRetry(ctx.logger, error.message, delay);
          await sleep(delay, ctx.signal);
          delay = Math.min(delay * 2, 10_000);
        }
      }
    },
  });
}

function logRetry(logger: LoggerService, reason: string, delay: number) {
  logger.info(`${reason}; asking again in ${Math.round(delay / 1000)}s`);
}

async function postRun(options: {
  url: string;
  token: string;
  key: string;
  body: CreateTrainingRunRequest;
  modelRef: string;
  asUser: boolean;
  signal?: AbortSignal;
}): Promise<{ run: CreateTrainingRunResponse; replayed: boolean }> {
  const { modelRef } = options;
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
    : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${options.token}`,
        'idempotency-key': options.key,
      },
      body: JSON.stringify(options.body),
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) {
      throw new Error('The task was cancelled');
    }
    throw new RetryableError(
      `The mlops backend did not answer (${toError(error).message})`,
    );
  }
  if (response.ok) {
    const run = (await response.json()) as CreateTrainingRunResponse;
    if (typeof run?.id !== 'string') {
      throw new Error(
        `The mlops backend answered ${response.status} without a run id`,
      );
    }
    return {
      run,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  }
  const reason = await reasonOf(response);
  switch (response.status) {
    case 400:
      throw new InputError(
        `The mlops backend refused to train ${modelRef}: ${reason}`,
      );
    case 401:
    case 403:
      if (!options.asUser) {
        throw new NotAllowedError(
          `The mlops backend starts training runs for signed-in users only, and this task has no user: ${reason}`,
        );
      }
      if (response.status === 401) {
        throw new NotAllowedError(
          `The mlops backend did not accept the user's credentials: ${reason}`,
        );
      }
      throw new NotAllowedError(
        `You may not train ${modelRef} (mlops.model.train is allowed to its owners): ${reason}`,
      );
    case 404:
      throw new RetryableError(
        `${modelRef} is not in the catalog yet, or the mlops backend is not installed (${reason})`,
      );
    case 409:
      throw new ConflictError(
        `The training run of this step conflicts with an earlier one: ${reason}`,
      );
    default:
      if (response.status >= 500 || response.status === 429) {
        throw new RetryableError(
          `The mlops backend is unavailable (${response.status}: ${reason})`,
        );
      }
      // An answer the API does not document: report it as it came.
      throw new Error(
        `The mlops backend answered ${response.status}: ${reason}`,
      );
  }
}

/** The `error.message` of a Backstage error body, else the body text. */
async function reasonOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = JSON.parse(text)?.error?.message;
    if (typeof message === 'string') {
      return message;
    }
  } catch {
    // not JSON: use the text
  }
  return text.slice(0, 500) || response.statusText;
}
