import { EmptyState } from '@backstage/core-components';

/** Every cluster (not built yet). */
export function ClustersPage() {
  return (
    <EmptyState
      missing="content"
      title="Every cluster"
      description="Not built yet."
    />
  );
}
