import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Grid,
  Typography,
} from '@material-ui/core';
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
import { servicesApiRef } from '../../api/ServicesClient';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { ActionDialog, DeploymentAction } from '../DeploymentActions';
import { DiagnosisCard } from '../DiagnosisCard';
import { HistoryCard } from '../HistoryCard';
import { age } from '@internal/plugin-container-cloud-react';
import { LogViewer } from '../LogViewer';
import { EventsDialog } from '../EventsDialog';
import { MetricsDialog } from '../MetricsDialog';
import { ShellDialog, ShellPod } from '../ShellDialog';
import { DebugDialog } from '../DebugDialog';
import { EveryClusterActions } from '../EveryClusterActions';
import { PodActionKind, PodActions } from '../PodActions';
import { DeploymentRowActions } from '../DeploymentRowActions';
import { ServiceBindingNotice } from '../ServiceBindingNotice';
import type { EventsQuery } from '../../api/ServicesClient';

type Outcome = { severity: 'success' | 'error' | 'warning'; message: string };

function PodStatus({ pod }: { pod: PodView }) {
  const reason = pod.containers.find(c => c.reason)?.reason;
  const label = pod.terminating ? 'Terminating' : reason ?? pod.phase;
  if (pod.terminating || pod.phase === 'Pending')
    return <StatusPending>{label}</StatusPending>;
  if (pod.ready) return <StatusOK>{label}</StatusOK>;
  return <StatusError>{label}</StatusError>;
}

function podColumns(
  onPodAction: (pod: PodView, kind: PodActionKind) => void,
): TableColumn<PodView>[] {
  return [
    {
      title: 'Container',
      render: pod => (
        <>
          {pod.name}
          {pod.removedFromLoadBalancing && (
            <Chip
              size="small"
              label="out of load balancing"
              style={{ marginLeft: 8 }}
            />
          )}
        </>
      ),
    },
    { title: 'Status', render: pod => <PodStatus pod={pod} /> },
    {
      title: 'Ready',
      render: pod =>
        `${pod.containers.filter(c => c.ready).length}/${
          pod.containers.length
        }`,
    },
    { title: 'Restarts', field: 'restarts', type: 'numeric' },
    { title: 'IP', field: 'ip' },
    { title: 'Node', field: 'node' },
    { title: 'Age', render: pod => age(pod.startedAt) },
    {
      title: 'Actions',
      // the table shares its width equally among the columns without one: room for two buttons
      // and the menu's
      width: '200px',
      render: pod => (
        <PodActions pod={pod} onAction={kind => onPodAction(pod, kind)} />
      ),
    },
  ];
}

function ClusterCard(props: {
  view: ClusterServiceView;
  onAction(deployment: DeploymentView, kind: DeploymentAction['kind']): void;
  onPodAction(pod: PodView, kind: PodActionKind): void;
  onDeploymentEvents(deployment: DeploymentView): void;
}) {
  const { view, onAction, onPodAction, onDeploymentEvents } = props;
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
      // room for three buttons and the menu's (the other columns share the rest)
      width: '300px',
      render: d => (
        <DeploymentRowActions
          deployment={d}
          onAction={kind =>
            kind === 'events' ? onDeploymentEvents(d) : onAction(d, kind)
          }
        />
      ),
    },
  ];
  return (
    <section aria-label={`cluster ${view.cluster}`}>
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
              // a service has a Deployment or two: nothing to sort, and the headers' sort buttons
              // would widen the table past a 1280 px window
              options={{
                paging: false,
                search: false,
                sorting: false,
                padding: 'dense',
              }}
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
                columns={podColumns(onPodAction)}
                data={view.pods}
              />
            </Box>
          </>
        )}
      </InfoCard>
    </section>
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
  const [podAction, setPodAction] = useState<{
    cluster: string;
    pod: PodView;
    kind: 'destroy' | 'remove-from-lb';
  }>();
  const [logsOf, setLogsOf] = useState<{ cluster: string; pod: PodView }>();
  const [metricsOf, setMetricsOf] = useState<{
    cluster: string;
    pod: PodView;
  }>();
  const [eventsOf, setEventsOf] = useState<EventsQuery>();
  const [shellIn, setShellIn] = useState<ShellPod>();
  const [debugIn, setDebugIn] = useState<ShellPod>();

  async function runPodAction() {
    if (!podAction) return;
    const { cluster, pod, kind } = podAction;
    const request = { cluster, namespace: pod.namespace, pod: pod.name };
    setBusy(true);
    try {
      if (kind === 'destroy') await api.destroyContainer(ref, request);
      else await api.removeFromLoadBalancing(ref, request);
      setOutcome({
        severity: 'success',
        message:
          kind === 'destroy'
            ? `${pod.name} in ${cluster} destroyed; its replacement is starting`
            : `${pod.name} in ${cluster} is out of load balancing and keeps running; its replacement is starting`,
      });
    } catch (e) {
      setOutcome({ severity: 'error', message: (e as Error).message });
    } finally {
      setBusy(false);
      setPodAction(undefined);
      retry();
    }
  }

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
      else if (action.kind === 'rollback')
        await api.rollback(ref, { ...target, revision: action.revision });
      else if (action.kind === 'config')
        await api.configure(ref, { ...target, ...action.change });
      else
        await api.sync(ref, {
          ...target,
          from: {
            cluster: action.fromCluster,
            namespace: target.namespace,
            deployment: target.deployment,
          },
        });
      setOutcome({
        severity: 'success',
        message: `${action.kind} of ${target.deployment} in ${target.cluster} accepted`,
      });
      setDialog(undefined);
    } catch (e) {
      if (
        e instanceof ContainerCloudApiError &&
        e.status === 409 &&
        e.current
      ) {
        const now = e.current as DeploymentView;
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
  // an entity that controls nothing says why (ServiceBindingNotice), not that nothing runs
  const bound = !value.binding || value.binding.state === 'bound';
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
      {value.binding && (
        <Grid item xs={12}>
          <ServiceBindingNotice binding={value.binding} />
        </Grid>
      )}
      {!runsSomewhere && bound && (
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
      {runsSomewhere && (
        <Grid item xs={12}>
          <EveryClusterActions
            entity={ref}
            clusters={value.clusters}
            onDone={retry}
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
            onPodAction={(pod, kind) => {
              if (kind === 'logs') setLogsOf({ cluster: view.cluster, pod });
              else if (kind === 'metrics')
                setMetricsOf({ cluster: view.cluster, pod });
              else if (kind === 'debug')
                setDebugIn({
                  cluster: view.cluster,
                  namespace: pod.namespace,
                  pod: pod.name,
                  containers: pod.containers.map(c => c.name),
                });
              else if (kind === 'shell')
                setShellIn({
                  cluster: view.cluster,
                  namespace: pod.namespace,
                  pod: pod.name,
                  containers: pod.containers
                    .filter(c => c.state === 'running')
                    .map(c => c.name),
                });
              else if (kind === 'events')
                setEventsOf({
                  cluster: view.cluster,
                  namespace: pod.namespace,
                  pod: pod.name,
                });
              else setPodAction({ cluster: view.cluster, pod, kind });
            }}
            onDeploymentEvents={deployment =>
              setEventsOf({
                cluster: view.cluster,
                namespace: deployment.namespace,
                deployment: deployment.name,
              })
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
      {logsOf && (
        <LogViewer
          entityRef={ref}
          cluster={logsOf.cluster}
          pod={logsOf.pod}
          onClose={() => setLogsOf(undefined)}
        />
      )}
      {debugIn && (
        <DebugDialog
          entity={ref}
          pod={debugIn}
          onClose={() => setDebugIn(undefined)}
        />
      )}
      {shellIn && (
        <ShellDialog
          entity={ref}
          pod={shellIn}
          onClose={() => setShellIn(undefined)}
        />
      )}
      {metricsOf && (
        <MetricsDialog
          entityRef={ref}
          cluster={metricsOf.cluster}
          pod={metricsOf.pod}
          onClose={() => setMetricsOf(undefined)}
        />
      )}
      {eventsOf && (
        <EventsDialog
          entityRef={ref}
          query={eventsOf}
          live={lastSignal}
          onClose={() => setEventsOf(undefined)}
        />
      )}
      {podAction && (
        <Dialog open onClose={() => setPodAction(undefined)}>
          <DialogTitle>
            {podAction.kind === 'destroy'
              ? 'Destroy'
              : 'Remove from load balancing'}{' '}
            {podAction.pod.name}?
          </DialogTitle>
          <DialogContent>
            {podAction.kind === 'destroy'
              ? 'The container is deleted and its Deployment starts a new one.'
              : 'The container leaves its Services and its ReplicaSet but keeps running, so you can look into it; a replacement starts. Destroy it when you are done.'}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setPodAction(undefined)}>Cancel</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={busy}
              onClick={runPodAction}
            >
              {podAction.kind === 'destroy' ? 'Destroy' : 'Remove'}
            </Button>
          </DialogActions>
        </Dialog>
      )}
      {dialog && (
        <ActionDialog
          entity={entity}
          kind={dialog.kind}
          cluster={dialog.cluster.cluster}
          deployment={dialog.deployment}
          revisions={dialog.cluster.revisions}
          otherClusters={value.clusters
            .filter(
              c =>
                c.cluster !== dialog.cluster.cluster &&
                c.deployments.some(
                  d =>
                    d.name === dialog.deployment.name &&
                    d.namespace === dialog.deployment.namespace,
                ),
            )
            .map(c => c.cluster)}
          busy={busy}
          onClose={() => setDialog(undefined)}
          onSubmit={run}
        />
      )}
    </Grid>
  );
}
