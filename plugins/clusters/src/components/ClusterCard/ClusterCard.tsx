import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import type { ClusterSummary } from '@internal/plugin-container-cloud-common';
import { CapacityBars } from './CapacityBars';

function verdictText(cluster: ClusterSummary): string {
  const { verdict } = cluster;
  if (verdict.state === 'unhealthy') {
    return `Unhealthy since ${new Date(verdict.since!).toLocaleString()}: ${
      verdict.reason
    }`;
  }
  if (verdict.troubledSince) {
    return `Healthy, but since ${new Date(
      verdict.troubledSince,
    ).toLocaleString()}: ${verdict.reason}`;
  }
  return verdict.state === 'healthy' ? 'Healthy' : 'Not checked yet';
}

/** One cluster: health, version, nodes, pods, capacity, services; details and failover. */
export function ClusterCard(props: {
  cluster: ClusterSummary;
  onDetails(): void;
  onFailover(): void;
}) {
  const { cluster } = props;
  const { nodes, pods } = cluster;
  return (
    <InfoCard
      title={cluster.name}
      subheader={
        cluster.reachable
          ? `${cluster.kubernetesVersion ?? 'version unknown'} · apiserver ${
              cluster.latencyMs
            } ms`
          : `Unreachable: ${cluster.error}`
      }
    >
      <Box mb={1}>
        <Chip
          size="small"
          color={
            cluster.verdict.state === 'unhealthy' ? 'secondary' : 'default'
          }
          label={verdictText(cluster)}
        />
        {!cluster.synced && (
          <Typography variant="caption" color="textSecondary">
            {' '}
            Showing what was last seen: the watches are not synced.
          </Typography>
        )}
      </Box>
      <Typography variant="body2">
        Nodes: {nodes.ready} of {nodes.total} ready
        {nodes.cordoned ? `, ${nodes.cordoned} cordoned` : ''}
      </Typography>
      <Typography variant="body2" gutterBottom>
        Pods: {pods.Running} running, {pods.Pending} pending, {pods.Failed}{' '}
        failed, {pods.Succeeded} succeeded, {pods.Unknown} unknown
      </Typography>
      <CapacityBars capacity={cluster.capacity} />
      <Typography variant="body2" gutterBottom>
        Services ({cluster.services.length}):{' '}
        {cluster.services.map(s => s.kubernetesId).join(', ') || 'none'}
      </Typography>
      <Box display="flex" style={{ gap: 8 }}>
        <Button
          variant="outlined"
          onClick={props.onDetails}
          aria-label={`details of ${cluster.name}`}
        >
          Details
        </Button>
        <Button
          variant="outlined"
          color="secondary"
          onClick={props.onFailover}
          aria-label={`move services off ${cluster.name}`}
        >
          Move services off
        </Button>
      </Box>
    </InfoCard>
  );
}
