import { EmptyState } from '@backstage/core-components';

/** A service's config files (not built yet). */
export function ConfigFilesTab() {
  return (
    <EmptyState
      missing="content"
      title="A service's config files"
      description="Not built yet."
    />
  );
}
