import { Content, Header, Page } from '@backstage/core-components';
import { MlCatalogContent } from './MlCatalogContent';

/** The ML catalog page for apps on the legacy frontend system, with its own header. */
export const MlCatalogPage = () => (
  <Page themeId="tool">
    <Header
      title="ML Catalog"
      subtitle="Models, datasets and features in the software catalog"
    />
    <Content>
      <MlCatalogContent />
    </Content>
  </Page>
);
