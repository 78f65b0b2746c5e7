import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { meteringApiRef } from '../../api/MeteringClient';
import { MeteringCharts } from './MeteringCharts';
import { MeteringControls } from './MeteringControls';
import { RangeName, rangeQuery, saveBlob } from './meteringRange';
import { ServiceUsageTable } from './ServiceUsageTable';
import { TeamsTable } from './TeamsTable';

function TeamCharts(props: { team: string; range: RangeName }) {
  const api = useApi(meteringApiRef);
  const series = useAsync(
    () => api.team(parseEntityRef(props.team), rangeQuery(props.range)),
    [api, props.team, props.range],
  );
  if (series.error) return <ResponseErrorPanel error={series.error} />;
  if (!series.value) return <Progress />;
  return <MeteringCharts series={series.value} what={props.team} />;
}

/** Ops' metering page: who uses what, who holds what they do not use. */
export function MeteringPage() {
  const api = useApi(meteringApiRef);
  const [range, setRange] = useState<RangeName>('day');
  const [team, setTeam] = useState<string>();
  const summary = useAsync(() => api.summary(rangeQuery(range)), [api, range]);
  return (
    <Page themeId="tool">
      <Header
        title="Metering"
        subtitle="CPU and memory requested and used, per team and per service"
      />
      <Content>
        <MeteringControls
          range={range}
          onRange={setRange}
          onDownload={async () =>
            saveBlob(
              await api.exportCsv(rangeQuery(range)),
              `metering-${range}.csv`,
            )
          }
        />
        {summary.error && <ResponseErrorPanel error={summary.error} />}
        {summary.loading && <Progress />}
        {summary.value && (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <Typography variant="body2">
                {summary.value.lastSample
                  ? `Last sample: ${new Date(
                      summary.value.lastSample,
                    ).toLocaleString()}`
                  : 'No sample has been taken yet.'}
              </Typography>
            </Grid>
            <Grid item xs={12}>
              <TeamsTable teams={summary.value.teams} onSelect={setTeam} />
            </Grid>
            {team && (
              <Grid item xs={12}>
                <InfoCard title={`Team ${team}`}>
                  <TeamCharts team={team} range={range} />
                </InfoCard>
              </Grid>
            )}
            <Grid item xs={12}>
              <ServiceUsageTable
                title="Top wasters: CPU requested and not used"
                services={summary.value.wasters}
                emptyText="No service requests more than it uses."
              />
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
}
