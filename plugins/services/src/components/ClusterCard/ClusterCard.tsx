import { useMemo } from 'react';
import { Box, Chip, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import type {
  DeploymentView,
  PodView,
} from '@internal/plugin-container-cloud-common';
import { age } from '@internal/plugin-container-cloud-react';
import type { DeploymentAction } from '../DeploymentActions';
import type { PodActionKind } from '../PodActions';
import { DeploymentRowActions } from '../DeploymentRowActions';
import { SERVICE_TAB_MARKS } from '../../hooks/useServiceTabMarks';
import { useLatest, withRowIds } from '../../lib/tableRows';
import {
  ContainersTable,
  ContainersView,
  LoadContainers,
} from '../ContainersTable';

/** The Deployments table's columns; the handlers are stable (made once per card). */
function deploymentColumnsFor(
  onAction: (
    deployment: DeploymentView,
    kind: DeploymentAction['kind'],
  ) => void,
  onDeploymentEvents: (deployment: DeploymentView) => void,
): TableColumn<DeploymentView>[] {
  return [
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
}

/** One cluster: its health, the service's Deployments and their containers, with their actions. */
export function ClusterCard(props: {
  view: ContainersView;
  /** pages of the cluster's containers past the view's own (the backend pages them) */
  loadPods?: LoadContainers;
  onAction(deployment: DeploymentView, kind: DeploymentAction['kind']): void;
  onPodAction(pod: PodView, kind: PodActionKind): void;
  onDeploymentEvents(deployment: DeploymentView): void;
}) {
  const { view, loadPods, onPodAction } = props;
  const { health } = view;
  const subheader = health.reachable
    ? `reachable · API ${health.latencyMs} ms · nodes ready ${health.nodesReady}/${health.nodesTotal}`
    : `unreachable: ${health.error}`;
  // columns made once and rows with ids: the table keeps its rows mounted (lib/tableRows)
  const onAction = useLatest(props.onAction);
  const onDeploymentEvents = useLatest(props.onDeploymentEvents);
  const deploymentColumns = useMemo(
    () => deploymentColumnsFor(onAction, onDeploymentEvents),
    [onAction, onDeploymentEvents],
  );
  const deployments = withRowIds(
    view.deployments,
    d => `${d.namespace}/${d.name}`,
  );

  return (
    <section aria-label={`cluster ${view.cluster}`}>
      <InfoCard
        title={
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            {/* Element Timing: when the first card painted (bench/services/browser.ts) */}
            <span {...{ elementtiming: SERVICE_TAB_MARKS.paint }}>
              Cluster {view.cluster}
            </span>
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
              data={deployments}
            />
            {view.deployments
              .flatMap(d => d.problems)
              .map(p => (
                <Alert key={p} severity="warning">
                  {p}
                </Alert>
              ))}
            <Box mt={2}>
              <ContainersTable
                view={view}
                loadPage={loadPods}
                onPodAction={onPodAction}
              />
            </Box>
          </>
        )}
      </InfoCard>
    </section>
  );
}
