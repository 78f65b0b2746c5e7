import { useState } from 'react';
import { Content, Header, Page } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DomainView, nginxApiRef } from '../../api/NginxClient';
import { DomainEditor } from '../DomainEditor/DomainEditor';
import { ClustersTable } from './ClustersTable';
import { DomainsTable } from './DomainsTable';
import { VersionHistory } from './VersionHistory';

/** Ops' page: every nginx cluster, its domains, its versions; publish and roll back. */
export function NginxAdminPage() {
  const api = useApi(nginxApiRef);
  const clusters = useAsyncRetry(() => api.listClusters(), [api]);
  const [selected, setSelected] = useState<string>();
  const [editing, setEditing] = useState<{ domain?: DomainView }>();
  const cluster = selected ?? clusters.value?.[0]?.name;

  const domains = useAsyncRetry(
    async () => (cluster ? api.listDomains(cluster) : []),
    [api, cluster],
  );
  const versions = useAsyncRetry(
    async () => (cluster ? api.listVersions(cluster) : []),
    [api, cluster],
  );
  const { retry: retryClusters } = clusters;
  const { retry: retryVersions } = versions;

  return (
    <Page themeId="tool">
      <Header
        title="Nginx"
        subtitle="Clusters, domains, versions: every change checked with nginx -t"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <ClustersTable
              loading={clusters.loading}
              error={clusters.error}
              clusters={clusters.value}
              selected={cluster}
              onSelect={setSelected}
            />
          </Grid>
          {cluster && (
            <>
              <Grid item xs={12}>
                <DomainsTable
                  cluster={cluster}
                  loading={domains.loading}
                  error={domains.error}
                  domains={domains.value}
                  onEdit={domain => setEditing({ domain })}
                />
              </Grid>
              <Grid item xs={12}>
                <VersionHistory
                  cluster={cluster}
                  loading={versions.loading}
                  error={versions.error}
                  versions={versions.value}
                  onChanged={() => {
                    retryVersions();
                    retryClusters();
                    domains.retry();
                  }}
                />
              </Grid>
            </>
          )}
        </Grid>
        {editing && cluster && (
          <DomainEditor
            cluster={cluster}
            domain={editing.domain}
            onClose={() => setEditing(undefined)}
            onSaved={() => {
              setEditing(undefined);
              domains.retry();
            }}
          />
        )}
      </Content>
    </Page>
  );
}
