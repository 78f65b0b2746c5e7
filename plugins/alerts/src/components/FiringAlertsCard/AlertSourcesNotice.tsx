import { WarningPanel } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { AlertSourceStatus } from '@internal/plugin-container-cloud-common';

/**
 * Says which sources did not answer: their alerts are unknown, so an empty list is not "no
 * alerts". Renders nothing when every source answered.
 */
export function AlertSourcesNotice(props: { sources: AlertSourceStatus[] }) {
  const down = props.sources.filter(s => s.status !== 'ok');
  if (down.length === 0) return null;
  return (
    <WarningPanel
      severity="warning"
      title={`Alerts unknown: ${down
        .map(s => s.source)
        .join(', ')} did not answer`}
    >
      {down.map(s => (
        <Typography key={s.source} variant="body2">
          {s.source}
          {s.clusters?.length
            ? ` (clusters ${s.clusters.join(', ')})`
            : ''}: {s.message ?? 'unreachable'}
        </Typography>
      ))}
    </WarningPanel>
  );
}
