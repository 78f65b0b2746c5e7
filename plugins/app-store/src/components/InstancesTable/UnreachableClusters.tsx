import { WarningPanel } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { InstanceList } from '@internal/plugin-container-cloud-common';

/** The clusters that could not be read: their instances' state is unknown, not absent. */
export function UnreachableClusters(props: {
  unreachable: InstanceList['unreachable'];
}) {
  if (props.unreachable.length === 0) return null;
  return (
    <WarningPanel
      severity="warning"
      title={`Could not read ${props.unreachable
        .map(u => u.cluster)
        .join(', ')}: the state of instances there is unknown`}
    >
      {props.unreachable.map(u => (
        <Typography key={u.cluster} variant="body2">
          {u.cluster}: {u.error}
        </Typography>
      ))}
    </WarningPanel>
  );
}
