import {
  EmptyState,
  InfoCard,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { NginxClusterSummary } from '../../api/NginxClient';
import { Loaded } from './Loaded';

/** The clusters, their nodes and the version each runs; a click picks the cluster below. */
export function ClustersTable(props: {
  loading: boolean;
  error?: Error;
  clusters?: NginxClusterSummary[];
  selected?: string;
  onSelect(cluster: string): void;
}) {
  const columns: TableColumn<NginxClusterSummary>[] = [
    {
      title: 'Cluster',
      field: 'name',
      render: c => (c.name === props.selected ? <b>{c.name}</b> : c.name),
    },
    { title: 'Environment', field: 'environment' },
    {
      title: 'Current version',
      render: c =>
        c.currentVersion === null ? 'never published' : c.currentVersion,
    },
    {
      title: 'Nodes',
      render: c => (
        <>
          {c.nodes.map(node => {
            let state = 'no delivery yet';
            if (node.lastDelivery) {
              state = node.lastDelivery.ok
                ? 'runs the current version'
                : `failed: ${node.lastDelivery.message}`;
            }
            return (
              <Typography
                key={node.name}
                variant="body2"
                color={
                  node.lastDelivery?.ok === false ? 'error' : 'textPrimary'
                }
              >
                {node.name}: {state}
              </Typography>
            );
          })}
        </>
      ),
    },
  ];
  const noClusters = (
    <EmptyState
      missing="content"
      title="No nginx clusters"
      description="Configure containerCloud.nginx.clusters in app-config.yaml to manage them here."
    />
  );
  return (
    <Loaded status={props} items={props.clusters} empty={noClusters}>
      {clusters => (
        <InfoCard title="Nginx clusters" noPadding>
          <Table
            options={{ paging: false, search: false, toolbar: false }}
            columns={columns}
            data={clusters}
            onRowClick={(_e, row) => row && props.onSelect(row.name)}
          />
        </InfoCard>
      )}
    </Loaded>
  );
}
