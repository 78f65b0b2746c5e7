import { EmptyState } from '@backstage/core-components';

/** A service's volumes (not built yet). */
export function StorageTab() {
  return (
    <EmptyState
      missing="content"
      title="A service's volumes"
      description="Not built yet."
    />
  );
}
