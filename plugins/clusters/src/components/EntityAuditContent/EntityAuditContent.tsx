import { EmptyState } from '@backstage/core-components';

/** This entity's audit trail (not built yet). */
export function EntityAuditContent() {
  return (
    <EmptyState
      missing="content"
      title="This entity's audit trail"
      description="Not built yet."
    />
  );
}
