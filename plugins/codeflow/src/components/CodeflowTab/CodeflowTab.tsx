import { EmptyState } from '@backstage/core-components';

/** The Codeflow tab of a Component (being built). */
export function CodeflowTab() {
  return <EmptyState missing="content" title="Codeflows are being built" />;
}
