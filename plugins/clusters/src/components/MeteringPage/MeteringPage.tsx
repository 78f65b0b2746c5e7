import { EmptyState } from '@backstage/core-components';

/** Metering (not built yet). */
export function MeteringPage() {
  return (
    <EmptyState
      missing="content"
      title="Metering"
      description="Not built yet."
    />
  );
}
