import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import type {
  ClusterNode,
  ClusterService,
} from '@internal/plugin-container-cloud-common';
import useAsync from 'react-use/esm/useAsync';
import { clustersApiRef } from '../../api/ClustersClient';
import { formatBytes, formatCores } from '../ClusterCard/format';

const usage = (capacity: ClusterNode['capacity']) =>
  `${formatCores(capacity.requested.cpuCores)} / ${formatCores(
    capacity.allocatable.cpuCores,
  )} cpu, ${formatBytes(capacity.requested.memoryBytes)} / ${formatBytes(
    capacity.allocatable.memoryBytes,
  )} memory`;

const nodeColumns: TableColumn<ClusterNode>[] = [
  { title: 'Node', field: 'name' },
  {
    title: 'State',
    render: n =>
      `${n.ready ? 'Ready' : 'Not ready'}${n.cordoned ? ', cordoned' : ''}`,
  },
  { title: 'Kubelet', render: n => n.kubeletVersion ?? '—' },
  { title: 'Pods', field: 'pods' },
  { title: 'Requested / allocatable', render: n => usage(n.capacity) },
  {
    title: 'Used',
    render: n =>
      n.capacity.used
        ? `${formatCores(n.capacity.used.cpuCores)}, ${formatBytes(
            n.capacity.used.memoryBytes,
          )}`
        : 'unknown',
  },
];

const serviceColumns: TableColumn<ClusterService>[] = [
  { title: 'Service', field: 'kubernetesId' },
  { title: 'Component', render: s => s.entityRef ?? 'no Component claims it' },
  { title: 'Namespaces', render: s => s.namespaces.join(', ') },
  { title: 'Ready', render: s => `${s.readyReplicas} / ${s.replicas}` },
  {
    title: 'Requested',
    render: s =>
      `${formatCores(s.requested.cpuCores)}, ${formatBytes(
        s.requested.memoryBytes,
      )}`,
  },
  {
    title: 'Used',
    render: s =>
      s.used
        ? `${formatCores(s.used.cpuCores)}, ${formatBytes(s.used.memoryBytes)}`
        : 'unknown',
  },
];

/** One cluster's nodes and its heaviest services. */
export function ClusterDetailView(props: { cluster: string }) {
  const api = useApi(clustersApiRef);
  const detail = useAsync(
    () => api.getCluster(props.cluster),
    [api, props.cluster],
  );
  if (detail.loading) return <Progress />;
  if (detail.error) return <ResponseErrorPanel error={detail.error} />;
  const { nodes, heaviestServices } = detail.value!;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Table
          title={`Nodes of ${props.cluster}`}
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={nodeColumns}
          data={nodes}
          emptyContent={<InfoCard>This cluster has no nodes.</InfoCard>}
        />
      </Grid>
      <Grid item xs={12}>
        <Table
          title={`Heaviest services of ${props.cluster}`}
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={serviceColumns}
          data={heaviestServices}
          emptyContent={<InfoCard>No service runs here.</InfoCard>}
        />
      </Grid>
    </Grid>
  );
}
