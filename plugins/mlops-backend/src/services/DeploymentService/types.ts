import {
  CreateDeploymentRequest,
  Deployment,
  DeploymentList,
  DeploymentStatus,
} from '@synth/plugin-mlops-common';
import {
  DeploymentRecord,
  DeploymentState,
  Page,
  TargetConfig,
} from '../../database/MlopsStore';
import { ModelContext } from '../ModelAccess';

/** What one step on a target did. */
export type StepResult = {
  status: DeploymentStatus;
  state: DeploymentState;
  message?: string;
  /** Take the next step right away. */
  again?: boolean;
  /** When to look again, for a step that waits on the target. */
  delayMs?: number;
};

/** A serving target: Lambda or Ray Serve. */
export interface DeploymentTarget {
  readonly name: 'lambda' | 'ray-serve';
  /** Throws InputError if the deployment cannot work on this target. */
  validate(deployment: {
    targetConfig: TargetConfig;
    strategy: string;
    artifactUri?: string;
  }): void;
  /** Moves a pending or deploying (or rolling-back) deployment one step. */
  advance(deployment: DeploymentRecord): Promise<StepResult>;
  promote(deployment: DeploymentRecord): Promise<StepResult>;
  rollback(deployment: DeploymentRecord): Promise<StepResult>;
}

/**
 * Deployments of model versions. The caller has already checked that the
 * user may see the model and hold the needed permission.
 */
export interface DeploymentService {
  createDeployment(options: {
    model: ModelContext;
    request: CreateDeploymentRequest;
    idempotencyKey?: string;
    createdBy: string;
  }): Promise<{ deployment: Deployment; created: boolean }>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(modelRef: string, page: Page): Promise<DeploymentList>;
  promote(deployment: DeploymentRecord): Promise<Deployment>;
  rollback(deployment: DeploymentRecord): Promise<Deployment>;
}
