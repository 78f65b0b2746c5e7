import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import type { InstanceDetail } from '@internal/plugin-container-cloud-common';

/** A failed install or upgrade: which resource failed, why, its events, and Retry / Remove. */
export function FailureCard(props: {
  failure: NonNullable<InstanceDetail['failure']>;
  busy: boolean;
  onRetry: () => void;
  onRemove: () => void;
}) {
  const { failure, busy, onRetry, onRemove } = props;
  return (
    <InfoCard title="Install failed">
      {failure.resource && (
        <Typography variant="body2">
          <b>Resource:</b> {failure.resource}
        </Typography>
      )}
      <Typography variant="body2" paragraph>
        <b>Reason:</b> {failure.reason}
      </Typography>
      {failure.events.length > 0 && (
        <>
          <Typography variant="subtitle2">Events</Typography>
          <Box component="ul" mt={0}>
            {failure.events.map((e, n) => (
              <li key={n}>
                <Typography variant="body2">{e}</Typography>
              </li>
            ))}
          </Box>
        </>
      )}
      <Box display="flex" style={{ gap: 8 }}>
        <Button
          variant="outlined"
          color="primary"
          disabled={busy}
          onClick={onRetry}
        >
          Retry
        </Button>
        <Button variant="outlined" disabled={busy} onClick={onRemove}>
          Remove
        </Button>
      </Box>
    </InfoCard>
  );
}
