import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  CodeflowRunStatus,
  CodeflowStepStatus,
} from '@internal/plugin-container-cloud-common';

const RUN_WORDS: Record<CodeflowRunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  'awaiting-approval': 'Awaiting approval',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  superseded: 'Superseded',
};

/** A run's or a step's status: an icon and its word. */
export function RunStatus(props: {
  status: CodeflowRunStatus | CodeflowStepStatus;
}) {
  const { status } = props;
  const words =
    (RUN_WORDS as Record<string, string>)[status] ??
    status.charAt(0).toUpperCase() + status.slice(1);
  switch (status) {
    case 'succeeded':
      return <StatusOK>{words}</StatusOK>;
    case 'failed':
      return <StatusError>{words}</StatusError>;
    case 'running':
      return <StatusRunning>{words}</StatusRunning>;
    case 'awaiting-approval':
      return <StatusWarning>{words}</StatusWarning>;
    case 'cancelled':
    case 'superseded':
    case 'skipped':
      return <StatusAborted>{words}</StatusAborted>;
    default:
      return <StatusPending>{words}</StatusPending>;
  }
}
