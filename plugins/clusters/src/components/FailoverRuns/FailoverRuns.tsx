import { useEffect, useRef, useState } from 'react';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import type {
  FailoverRun,
  FailoverStep,
} from '@internal/plugin-container-cloud-common';
import { clustersApiRef } from '../../api/ClustersClient';

const POLL_MS = 2000;

const stepColumns: TableColumn<FailoverStep>[] = [
  { title: 'Service', field: 'kubernetesId' },
  { title: 'Deployment', render: s => `${s.namespace}/${s.deployment}` },
  {
    title: 'Replicas',
    render: s => `${s.replicas} → ${s.targetReplicas} in the target`,
  },
  { title: 'State', field: 'state' },
  { title: 'Detail', render: s => s.reason ?? '' },
];

function summary(run: FailoverRun): string {
  const count = (state: FailoverStep['state']) =>
    run.steps.filter(s => s.state === state).length;
  return `${run.state}: ${count('scaled-down')} moved, ${count(
    'ready',
  )} ready, ${count('scaling-up')} scaling up, ${count(
    'pending',
  )} pending, ${count('failed')} failed, ${count('skipped')} skipped`;
}

function RunCard(props: { run: FailoverRun; onChanged(): void }) {
  const api = useApi(clustersApiRef);
  const { run } = props;
  const [error, setError] = useState<Error>();
  const act = async (action: 'stop' | 'resume') => {
    setError(undefined);
    try {
      await (action === 'stop' ? api.stopRun(run.id) : api.resumeRun(run.id));
      props.onChanged();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <InfoCard
      title={`${run.source} → ${run.target}`}
      subheader={`started by ${run.createdBy} at ${new Date(
        run.createdAt,
      ).toLocaleString()}`}
    >
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography
          variant="body2"
          aria-label={`progress of ${run.source} to ${run.target}`}
        >
          {summary(run)}
        </Typography>
        {run.state === 'running' && (
          <Button size="small" variant="outlined" onClick={() => act('stop')}>
            Stop
          </Button>
        )}
        {(run.state === 'stopped' || run.state === 'stopping') && (
          <Button size="small" variant="outlined" onClick={() => act('resume')}>
            Resume
          </Button>
        )}
      </Box>
      {error && <ResponseErrorPanel error={error} />}
      <Table
        options={{
          paging: false,
          search: false,
          padding: 'dense',
          toolbar: false,
        }}
        columns={stepColumns}
        data={run.steps}
      />
    </InfoCard>
  );
}

/**
 * The failover runs, newest first, with live per-service progress while one is under way;
 * `onSettled` is called when the last run under way ends (done, stopped), so the page can show
 * the clusters as the move left them.
 */
export function FailoverRuns(props: {
  refreshKey?: number;
  onSettled?: () => void;
}) {
  const api = useApi(clustersApiRef);
  const [runs, setRuns] = useState<FailoverRun[]>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.listRuns().then(
      items => {
        if (cancelled) return;
        setRuns(items);
        setError(undefined);
      },
      e => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [api, tick, props.refreshKey]);

  const live = runs?.some(r => r.state === 'running' || r.state === 'stopping');
  const wasLive = useRef(false);
  const { onSettled } = props;
  useEffect(() => {
    if (live === undefined) return;
    if (wasLive.current && !live) onSettled?.();
    wasLive.current = live;
  }, [live, onSettled]);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setTimeout(() => setTick(t => t + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [live, runs]);

  if (error) return <ResponseErrorPanel error={error} />;
  if (!runs) return <Progress />;
  if (runs.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No failover yet"
        description="Move the services off a cluster with its “Move services off” button."
      />
    );
  }
  return (
    <>
      {runs.map(run => (
        <Box mb={2} key={run.id}>
          <RunCard run={run} onChanged={() => setTick(t => t + 1)} />
        </Box>
      ))}
    </>
  );
}
