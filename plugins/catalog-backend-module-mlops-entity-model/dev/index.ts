/*
 * Development backend: the catalog with this module, reading the root
 * app-config.yaml (which loads the example catalog in catalog/).
 *
 *   yarn workspace @synth/plugin-catalog-backend-module-mlops-entity-model start
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('../src'));
backend.start();
