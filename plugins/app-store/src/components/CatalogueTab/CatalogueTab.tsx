import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import type { ChartView } from '@internal/plugin-container-cloud-common';
import { appStoreApiRef } from '../../api/AppStoreClient';
import { useAppStoreLinks } from '../../hooks/basePath';
import { InstallDialog } from '../InstallDialog';
import { ChartCard } from './ChartCard';

/** The catalogue: every chart of the configured repositories, each with Install. */
export function CatalogueTab() {
  const api = useApi(appStoreApiRef);
  const links = useAppStoreLinks();
  const navigate = useNavigate();
  const [installing, setInstalling] = useState<ChartView>();
  const { value, loading, error } = useAsync(() => api.charts(), [api]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const failed = value?.repositories.filter(r => !r.ok) ?? [];
  return (
    <>
      {failed.map(r => (
        <WarningPanel
          key={r.name}
          severity="warning"
          title={`Repository ${r.name} could not be read: its charts are missing below`}
        >
          <Typography variant="body2">
            {r.url}: {r.error ?? 'no answer'}
          </Typography>
        </WarningPanel>
      ))}
      {value && value.items.length === 0 && (
        <EmptyState
          missing="data"
          title={
            failed.length > 0
              ? 'No chart could be read'
              : 'The store has no charts yet'
          }
          description={
            value.repositories.length === 0
              ? 'No chart repository is configured: add one under containerCloud.appStore.repositories.'
              : 'Publish a chart to one of the configured repositories and it appears here.'
          }
        />
      )}
      <Grid container spacing={3}>
        {value?.items.map(chart => (
          <Grid
            item
            xs={12}
            sm={6}
            md={4}
            lg={3}
            key={`${chart.repository}/${chart.name}`}
          >
            <ChartCard chart={chart} onInstall={() => setInstalling(chart)} />
          </Grid>
        ))}
      </Grid>
      {installing && (
        <InstallDialog
          open
          chart={installing}
          onClose={() => setInstalling(undefined)}
          onInstalled={instance => {
            setInstalling(undefined);
            navigate(links.instance(instance));
          }}
        />
      )}
    </>
  );
}
