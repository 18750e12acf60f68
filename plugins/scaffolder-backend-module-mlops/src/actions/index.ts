export { createEntityWriteAction, ENTITY_WRITE_ACTION_ID } from './entityWrite';
