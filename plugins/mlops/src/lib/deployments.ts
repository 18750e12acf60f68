import {
  Deployment,
  DeploymentTargetName,
  MLModelServing,
} from '@synth/plugin-mlops-common';

/** What serves a model on one target: the live version, a canary if one runs, and the latest deployment. */
export type TargetState = {
  target: DeploymentTargetName;
  /** Where on the target: the Lambda function and alias, or the Ray Serve application. */
  location?: string;
  /** The version that takes the (rest of the) traffic, when known. */
  liveVersion?: string;
  canary?: { version: string; weight?: number; deployment: Deployment };
  /** The newest deployment on the target, the one Promote and Rollback act on. */
  latest?: Deployment;
};

function locationOf(serving: MLModelServing | undefined, d?: Deployment) {
  if (d?.details.target === 'lambda') {
    return `${d.details.functionName}:${d.details.alias}`;
  }
  if (d?.details.target === 'ray-serve') {
    return d.details.application;
  }
  if (serving?.target === 'lambda') {
    return `${serving.functionName}:${serving.alias}`;
  }
  if (serving?.target === 'ray-serve') {
    return serving.application;
  }
  return undefined;
}

/**
 * The state of each serving target from a model's deployments (newest
 * first): the entity's declared target first, then any other target it was
 * deployed to.
 */
export function targetStates(
  deployments: Deployment[],
  serving?: MLModelServing,
): TargetState[] {
  const targets: DeploymentTargetName[] = [];
  if (serving) targets.push(serving.target);
  for (const d of deployments) {
    if (!targets.includes(d.target)) targets.push(d.target);
  }
  return targets.map(target => {
    const mine = deployments.filter(d => d.target === target);
    const latest = mine[0];
    const live = mine.find(d => d.status === 'succeeded');
    const state: TargetState = {
      target,
      location: locationOf(
        serving?.target === target ? serving : undefined,
        latest,
      ),
      latest,
    };
    if (latest?.status === 'canary' || latest?.status === 'promoting') {
      state.canary = {
        version: latest.version,
        weight: latest.weight,
        deployment: latest,
      };
    }
    // The newest succeeded deployment serves: after a rollback of a newer
    // one, and beside a canary, that is the one before.
    state.liveVersion = live?.version;
    return state;
  });
}
