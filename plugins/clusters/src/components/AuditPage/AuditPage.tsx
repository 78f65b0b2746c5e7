import { EmptyState } from '@backstage/core-components';

/** The audit log (not built yet). */
export function AuditPage() {
  return (
    <EmptyState
      missing="content"
      title="The audit log"
      description="Not built yet."
    />
  );
}
