import { useEffect, useState } from 'react';
import { Box, Button, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  isFinishedRunStatus,
  type CodeflowRun,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { CodeflowPermissions, useReloadOn, useRunLog } from '../../hooks';
import { saveFile } from '../../lib/saveFile';
import {
  duration,
  FAILURE_WORDS,
  stepsInOrder,
  startedBy,
  triggerWords,
} from '../../lib/words';
import { RunStatus } from '../RunStatus';
import { RunLog } from './RunLog';

/**
 * One run: its steps with status and duration, the live log, why it failed in words with the
 * failed step's last lines, and Cancel / Approve / Download log as the user may.
 */
export function RunView(props: {
  entity: CompoundEntityRef;
  codeflowId: string;
  runId: string;
  can: CodeflowPermissions;
  signal: unknown;
  /** the run's status changed (the history shows it too) */
  onStatusChange?(run: CodeflowRun): void;
  onClose(): void;
}) {
  const { entity, codeflowId, runId, can, signal, onStatusChange, onClose } =
    props;
  const api = useApi(codeflowApiRef);
  const fetched = useAsyncRetry(
    () => api.getRun(entity, codeflowId, runId),
    [api, entity.namespace, entity.name, codeflowId, runId],
  );
  useReloadOn(signal, fetched.retry);
  const log = useRunLog(entity, codeflowId, runId, can.readLogs);
  // the stream ended: read the run as it finished (its last change may have come with the end)
  useReloadOn(log.ended, fetched.retry);
  // the newest word on the run, whoever said it last: a read, the stream, an action's answer
  const [latest, setLatest] = useState<CodeflowRun>();
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setLatest(undefined);
    setActionError(undefined);
  }, [runId]);
  useEffect(() => {
    if (fetched.value) setLatest(fetched.value);
  }, [fetched.value]);
  useEffect(() => {
    if (log.run) setLatest(log.run);
  }, [log.run]);
  const run = latest?.id === runId ? latest : undefined;
  // the history reads again when this view learns of a new status, signals or not
  const status = run?.status;
  useEffect(() => {
    if (run && status) onStatusChange?.(run);
  }, [status]); // eslint-disable-line react-hooks/exhaustive-deps

  async function act(action: 'cancel' | 'approve') {
    setBusy(true);
    setActionError(undefined);
    try {
      const call = action === 'cancel' ? api.cancelRun : api.approveRun;
      setLatest(await call.call(api, entity, codeflowId, runId));
    } catch (error) {
      const e = error as Error;
      if (
        e instanceof ContainerCloudApiError &&
        e.status === 409 &&
        e.current
      ) {
        setLatest(e.current as CodeflowRun);
      }
      setActionError(e.message);
    } finally {
      setBusy(false);
    }
  }

  async function download() {
    setActionError(undefined);
    try {
      const { fileName, blob } = await api.downloadLog(
        entity,
        codeflowId,
        runId,
      );
      saveFile(fileName, blob);
    } catch (error) {
      setActionError((error as Error).message);
    }
  }

  if (fetched.error && !run)
    return <ResponseErrorPanel error={fetched.error} />;
  if (!run) return <Progress />;
  const finished = isFinishedRunStatus(run.status);
  const failedStep = run.steps.find(s => s.status === 'failed');
  const actions = (
    <Box display="flex" style={{ gap: 8 }}>
      {(run.status === 'queued' || run.status === 'running') && (
        <Button
          variant="outlined"
          disabled={!can.cancel || busy}
          title={
            can.cancel
              ? undefined
              : 'Only the service’s owners may cancel its runs'
          }
          onClick={() => act('cancel')}
        >
          Cancel run
        </Button>
      )}
      {run.status === 'awaiting-approval' && (
        <Button
          variant="contained"
          color="primary"
          disabled={!can.run || busy}
          title={
            can.run
              ? undefined
              : 'Only the service’s owners may approve its roll-outs'
          }
          onClick={() => act('approve')}
        >
          Approve roll-out
        </Button>
      )}
      <Button disabled={!can.readLogs} onClick={download}>
        Download log
      </Button>
      <Button onClick={onClose}>Close</Button>
    </Box>
  );

  return (
    <InfoCard
      title={`Run #${run.number}`}
      subheader={<RunStatus status={run.status} />}
      action={actions}
    >
      <Typography variant="body2">
        {triggerWords(run.trigger)} by {startedBy(run)} · {run.ref.kind}{' '}
        {run.ref.name}
        {run.commit &&
          ` · ${run.commit.sha.slice(0, 8)} ${
            run.commit.message.split('\n')[0]
          } (${run.commit.author})`}
        {' · '}environment {run.environment} · executor {run.executor}
        {run.image && ` · image ${run.image}`}
        {run.preprocessingReused === true && ' · reused pre-processing image'}
        {run.approvedBy && ` · approved by ${run.approvedBy}`}
        {run.cancelledBy && ` · cancelled by ${run.cancelledBy}`}
      </Typography>
      {actionError && <Alert severity="error">{actionError}</Alert>}
      {run.status === 'awaiting-approval' && (
        <Alert severity="info">
          The image is built and pushed; the roll-out to {run.environment} waits
          for an owner&apos;s approval.
        </Alert>
      )}
      {run.status === 'failed' && (
        <Alert severity="error">
          <strong>
            {run.failureKind
              ? FAILURE_WORDS[run.failureKind]
              : 'The run failed.'}
          </strong>
          {failedStep && ` (step ${failedStep.name})`} {run.reason}
          {run.lastLines.length > 0 && (
            <pre
              aria-label="last lines of the failed step"
              style={{ whiteSpace: 'pre-wrap', margin: '8px 0 0' }}
            >
              {run.lastLines.join('\n')}
            </pre>
          )}
        </Alert>
      )}
      {run.status === 'cancelled' && run.reason && (
        <Alert severity="warning">{run.reason}</Alert>
      )}
      <Box component="ol" aria-label="steps" my={1} style={{ paddingLeft: 24 }}>
        {stepsInOrder(run.steps).map(s => (
          <li key={s.name}>
            <strong>{s.name}</strong> <RunStatus status={s.status} />
            {s.durationMs !== null && ` ${duration(s.durationMs)}`}
            {s.detail && (
              <Typography variant="caption" component="span">
                {' '}
                — {s.detail}
              </Typography>
            )}
          </li>
        ))}
      </Box>
      {run.logTruncated && (
        <Alert severity="warning">
          The log reached its size limit and was cut; the end is missing.
        </Alert>
      )}
      {can.readLogs ? (
        <RunLog
          lines={log.lines}
          dropped={log.dropped}
          steps={stepsInOrder(run.steps).map(s => s.name)}
          waiting={run.status === 'queued'}
          ended={Boolean(log.ended) || finished}
          error={log.error}
        />
      ) : (
        <Typography variant="body2">
          Only the service&apos;s owners may read its build logs.
        </Typography>
      )}
    </InfoCard>
  );
}
