import { EmptyState } from '@backstage/core-components';

/** This team's metering (not built yet). */
export function GroupMeteringContent() {
  return (
    <EmptyState
      missing="content"
      title="This team's metering"
      description="Not built yet."
    />
  );
}
