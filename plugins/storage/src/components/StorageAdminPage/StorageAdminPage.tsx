import { EmptyState } from '@backstage/core-components';

/** Every volume in every cluster (not built yet). */
export function StorageAdminPage() {
  return (
    <EmptyState
      missing="content"
      title="Every volume in every cluster"
      description="Not built yet."
    />
  );
}
