export { MlCatalogContent, TABLE_RENDERED_MARK } from './MlCatalogContent';
export { MlCatalogPage } from './MlCatalogPage';
