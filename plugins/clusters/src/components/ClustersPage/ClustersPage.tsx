import { useState } from 'react';
import {
  Content,
  EmptyState,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { clustersApiRef } from '../../api/ClustersClient';
import { ClusterCard } from '../ClusterCard';
import { ClusterDetailView } from '../ClusterDetailView';
import { FailoverDialog } from '../FailoverDialog';
import { FailoverRuns } from '../FailoverRuns';

/** Ops' page: every cluster's health and capacity, a cluster's nodes and services, failover. */
export function ClustersPage() {
  const api = useApi(clustersApiRef);
  const clusters = useAsyncRetry(() => api.listClusters(), [api]);
  const [detail, setDetail] = useState<string>();
  const [failover, setFailover] = useState<string>();
  const [runsKey, setRunsKey] = useState(0);
  const names = clusters.value?.map(c => c.name) ?? [];

  let body;
  if (clusters.loading && !clusters.value) body = <Progress />;
  else if (clusters.error) body = <ResponseErrorPanel error={clusters.error} />;
  else if (names.length === 0) {
    body = (
      <EmptyState
        missing="info"
        title="No clusters configured"
        description="Add clusters under kubernetes.clusterLocatorMethods in app-config.yaml."
      />
    );
  } else {
    body = (
      <Grid container spacing={3}>
        {clusters.value!.map(cluster => (
          <Grid item xs={12} md={6} key={cluster.name}>
            <ClusterCard
              cluster={cluster}
              onDetails={() => setDetail(cluster.name)}
              onFailover={() => setFailover(cluster.name)}
            />
          </Grid>
        ))}
        {detail && (
          <Grid item xs={12}>
            <ClusterDetailView cluster={detail} />
          </Grid>
        )}
        <Grid item xs={12}>
          <InfoCard title="Failover runs">
            <FailoverRuns refreshKey={runsKey} onSettled={clusters.retry} />
          </InfoCard>
        </Grid>
      </Grid>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Clusters"
        subtitle="Health, capacity and failover of every cluster"
      />
      <Content>
        <Typography variant="body2" color="textSecondary" paragraph>
          Requests come from the watch caches, usage from Prometheus; a cluster
          is marked unhealthy by the health controller once its trouble lasted
          the configured window.
        </Typography>
        {body}
        {failover && (
          <FailoverDialog
            source={failover}
            clusters={names}
            onClose={() => setFailover(undefined)}
            onStarted={() => {
              setFailover(undefined);
              setRunsKey(k => k + 1);
              clusters.retry();
            }}
          />
        )}
      </Content>
    </Page>
  );
}
