/*
 * Development backend: the catalog with the mlops kinds and the search
 * backend (in-memory Lunr engine) with the catalog collator and this module,
 * reading the root app-config.yaml (which loads the example catalog in
 * catalog/). Try GET /api/search/query?term=xgboost once the first collation
 * has run.
 *
 *   yarn workspace @synth/plugin-search-backend-module-mlops start
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@synth/plugin-catalog-backend-module-mlops-entity-model'));
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('../src'));
backend.start();
