import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Box, Button, Chip, Grid, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useSignal } from '@backstage/plugin-signals-react';
import type {
  ClusterServiceView,
  DeploymentView,
  PodView,
} from '@internal/plugin-container-cloud-common';
import { DeploymentChangedError, servicesApiRef } from '../api/ServicesClient';
import { ActionDialog, DeploymentAction } from './DeploymentActions';
import { DiagnosisCard } from './DiagnosisCard';
import { HistoryCard } from './HistoryCard';

type Outcome = { severity: 'success' | 'error' | 'warning'; message: string };

function age(since?: string) {
  if (!since) return '';
  const seconds = Math.max(0, (Date.now() - Date.parse(since)) / 1000);
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function PodStatus({ pod }: { pod: PodView }) {
  const reason = pod.containers.find(c => c.reason)?.reason;
  const label = pod.terminating ? 'Terminating' : reason ?? pod.phase;
  if (pod.terminating || pod.phase === 'Pending')
    return <StatusPending>{label}</StatusPending>;
  if (pod.ready) return <StatusOK>{label}</StatusOK>;
  return <StatusError>{label}</StatusError>;
}

const podColumns: TableColumn<PodView>[] = [
  { title: 'Container', field: 'name' },
  { title: 'Status', render: pod => <PodStatus pod={pod} /> },
  {
    title: 'Ready',
    render: pod =>
      `${pod.containers.filter(c => c.ready).length}/${pod.containers.length}`,
  },
  { title: 'Restarts', field: 'restarts', type: 'numeric' },
  { title: 'IP', field: 'ip' },
  { title: 'Node', field: 'node' },
  { title: 'Age', render: pod => age(pod.startedAt) },
];

function ClusterCard(props: {
  view: ClusterServiceView;
  onAction(deployment: DeploymentView, kind: DeploymentAction['kind']): void;
}) {
  const { view, onAction } = props;
  const { health } = view;
  const subheader = health.reachable
    ? `reachable · API ${health.latencyMs} ms · nodes ready ${health.nodesReady}/${health.nodesTotal}`
    : `unreachable: ${health.error}`;
  const deploymentColumns: TableColumn<DeploymentView>[] = [
    { title: 'Deployment', field: 'name' },
    { title: 'Namespace', field: 'namespace' },
    {
      title: 'Ready',
      render: d => (
        <span aria-label={`ready ${d.name}`}>
          {d.replicas.ready}/{d.replicas.desired}
        </span>
      ),
    },
    { title: 'Image', render: d => d.images.map(i => i.image).join(', ') },
    { title: 'Revision', render: d => d.revision ?? '' },
    { title: 'Updated', render: d => age(d.lastUpdate) },
    {
      title: 'Actions',
      render: d => (
        <Box display="flex" style={{ gap: 4 }}>
          {(['scale', 'restart', 'upgrade', 'rollback'] as const).map(kind => (
            <Button
              key={kind}
              size="small"
              variant="outlined"
              onClick={() => onAction(d, kind)}
            >
              {kind === 'rollback' ? 'roll back' : kind}
            </Button>
          ))}
        </Box>
      ),
    },
  ];
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          Cluster {view.cluster}
          <Chip
            size="small"
            label={health.reachable ? 'healthy' : 'unreachable'}
            color={health.reachable ? 'primary' : 'secondary'}
          />
        </Box>
      }
      subheader={subheader}
    >
      {view.deployments.length === 0 ? (
        <Typography>
          This service has no Deployment in {view.cluster}.
        </Typography>
      ) : (
        <>
          <Table
            title="Deployments"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={deploymentColumns}
            data={view.deployments}
          />
          {view.deployments
            .flatMap(d => d.problems)
            .map(p => (
              <Alert key={p} severity="warning">
                {p}
              </Alert>
            ))}
          <Box mt={2}>
            <Table
              title={`Containers (${view.pods.length})`}
              options={{
                paging: view.pods.length > 20,
                pageSize: 20,
                padding: 'dense',
              }}
              columns={podColumns}
              data={view.pods}
            />
          </Box>
        </>
      )}
    </InfoCard>
  );
}

/** The service tab: the service's workloads and containers in every cluster, live. */
export function ServiceContent() {
  const { entity } = useEntity();
  const api = useApi(servicesApiRef);
  const ref = getCompoundEntityRef(entity);
  const kubernetesId =
    entity.metadata.annotations?.['backstage.io/kubernetes-id'] ??
    entity.metadata.name;
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getService(ref),
    [api, ref.namespace, ref.name],
  );
  // watch events pushed by the backend; each one refreshes the view
  const { lastSignal } = useSignal(`container-cloud.services.${kubernetesId}`);
  useEffect(() => {
    if (lastSignal) retry();
  }, [lastSignal]); // eslint-disable-line react-hooks/exhaustive-deps

  const [dialog, setDialog] = useState<{
    cluster: ClusterServiceView;
    deployment: DeploymentView;
    kind: DeploymentAction['kind'];
  }>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  async function run(action: DeploymentAction) {
    if (!dialog) return;
    const target = {
      cluster: dialog.cluster.cluster,
      namespace: dialog.deployment.namespace,
      deployment: dialog.deployment.name,
      resourceVersion: dialog.deployment.resourceVersion,
    };
    setBusy(true);
    try {
      if (action.kind === 'scale')
        await api.scale(ref, { ...target, replicas: action.replicas });
      else if (action.kind === 'restart') await api.restart(ref, target);
      else if (action.kind === 'upgrade')
        await api.upgrade(ref, { ...target, ...action });
      else await api.rollback(ref, { ...target, revision: action.revision });
      setOutcome({
        severity: 'success',
        message: `${action.kind} of ${target.deployment} in ${target.cluster} accepted`,
      });
      setDialog(undefined);
    } catch (e) {
      if (e instanceof DeploymentChangedError) {
        const now = e.current;
        setOutcome({
          severity: 'warning',
          message: `${e.message}. It now wants ${
            now.replicas.desired
          } replicas of ${now.images.map(i => i.image).join(', ')} (revision ${
            now.revision ?? '?'
          }); nothing was changed.`,
        });
        setDialog(undefined);
      } else {
        setOutcome({ severity: 'error', message: (e as Error).message });
      }
    } finally {
      setBusy(false);
      retry();
    }
  }

  if (loading && !value) return <Progress />;
  if (error && !value) return <ResponseErrorPanel error={error} />;
  if (!value) return null;

  if (value.clusters.length === 0) {
    return (
      <EmptyState
        missing="info"
        title="No clusters configured"
        description="Add clusters under kubernetes.clusterLocatorMethods in app-config.yaml (the local cloud writes them for you)."
      />
    );
  }
  const runsSomewhere = value.clusters.some(c => c.deployments.length > 0);
  return (
    <Grid container spacing={3}>
      {outcome && (
        <Grid item xs={12}>
          <Alert
            severity={outcome.severity}
            onClose={() => setOutcome(undefined)}
          >
            {outcome.message}
          </Alert>
        </Grid>
      )}
      {!runsSomewhere && (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="This service runs in no cluster yet"
            description={`No Deployment carries the label backstage.io/kubernetes-id=${
              value.kubernetesId
            } in ${value.clusters.map(c => c.cluster).join(' or ')}.`}
          />
        </Grid>
      )}
      {value.clusters.map(view => (
        <Grid item xs={12} key={view.cluster}>
          <ClusterCard
            view={view}
            onAction={(deployment, kind) =>
              setDialog({ cluster: view, deployment, kind })
            }
          />
        </Grid>
      ))}
      {runsSomewhere && (
        <Grid item xs={12}>
          <DiagnosisCard entityRef={ref} refreshKey={lastSignal} />
        </Grid>
      )}
      <Grid item xs={12}>
        <HistoryCard
          entityRef={ref}
          clusters={value.clusters.map(c => c.cluster)}
          refreshKey={lastSignal}
        />
      </Grid>
      {dialog && (
        <ActionDialog
          kind={dialog.kind}
          cluster={dialog.cluster.cluster}
          deployment={dialog.deployment}
          revisions={dialog.cluster.revisions}
          busy={busy}
          onClose={() => setDialog(undefined)}
          onSubmit={run}
        />
      )}
    </Grid>
  );
}
