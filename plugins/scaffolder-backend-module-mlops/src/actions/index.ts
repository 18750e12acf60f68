export { createEntityWriteAction, ENTITY_WRITE_ACTION_ID } from './entityWrite';
export {
  createPublishLocalAction,
  findCoveringLocation,
  PUBLISH_LOCAL_ACTION_ID,
} from './publishLocal';
export {
  createTrainingTriggerAction,
  idempotencyKeyFor,
  TRAINING_TRIGGER_ACTION_ID,
} from './trainingTrigger';
