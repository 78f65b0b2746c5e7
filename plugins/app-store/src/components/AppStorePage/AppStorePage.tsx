import { Content, Header, Page } from '@backstage/core-components';

/** The App store page. PLACEHOLDER: built by its helper. */
export function AppStorePage() {
  return (
    <Page themeId="tool">
      <Header title="App store" />
      <Content>{null}</Content>
    </Page>
  );
}
