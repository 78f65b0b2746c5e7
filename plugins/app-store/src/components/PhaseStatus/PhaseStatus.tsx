import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import type { InstanceSummary } from '@internal/plugin-container-cloud-common';

/** An instance's phase with its status light. */
export function PhaseStatus(props: { phase: InstanceSummary['phase'] }) {
  const { phase } = props;
  switch (phase) {
    case 'ready':
      return <StatusOK>ready</StatusOK>;
    case 'installing':
    case 'upgrading':
      return <StatusRunning>{phase}</StatusRunning>;
    case 'deleting':
      return <StatusPending>deleting</StatusPending>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'deleted':
    case 'expired':
      return <StatusAborted>{phase}</StatusAborted>;
    default:
      return <StatusWarning>{phase}</StatusWarning>;
  }
}

/** What "simulated" means, wherever the page says it. */
export const SIMULATED_HELP =
  'Runs on a kwok node of the local cloud: Kubernetes reports the pod Running and Ready, but no middleware process runs, so nothing answers on its port.';

/** The "simulated" marker of an instance or pod on kwok nodes. */
export function SimulatedChip() {
  return (
    <Tooltip title={SIMULATED_HELP}>
      <Chip size="small" variant="outlined" label="simulated" />
    </Tooltip>
  );
}

/** When an instance expires, in words: "in 6 days", "expired", "never". */
export function expiryText(expiresAt?: string, now = Date.now()): string {
  if (!expiresAt) return 'never';
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return 'expired';
  const hours = ms / 3_600_000;
  if (hours < 48) return `in ${Math.max(1, Math.round(hours))} h`;
  return `in ${Math.round(hours / 24)} days`;
}
