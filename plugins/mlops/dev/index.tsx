import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import ReactDOM from 'react-dom/client';
import mlopsPlugin from '../src/alpha';

// The same new-frontend-system setup as packages/app: the catalog (entity
// pages), the catalog graph (lineage links) and this plugin, against the
// backend of `yarn start` at the repository root.
const app = createApp({
  features: [catalogPlugin, catalogGraphPlugin, mlopsPlugin],
});

ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
