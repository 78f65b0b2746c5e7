import { useState } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import { meteringApiRef } from '../../api/MeteringClient';
import { MeteringCharts } from '../MeteringPage/MeteringCharts';
import { MeteringControls } from '../MeteringPage/MeteringControls';
import { RangeName, rangeQuery, saveBlob } from '../MeteringPage/meteringRange';
import { ServiceUsageTable } from '../MeteringPage/ServiceUsageTable';

/** The "Metering" tab of a Group: its team's numbers, for its members and ops. */
export function GroupMeteringContent() {
  const { entity } = useEntity();
  const api = useApi(meteringApiRef);
  const [range, setRange] = useState<RangeName>('day');
  const group = getCompoundEntityRef(entity);
  const teamRef = stringifyEntityRef(group);
  const series = useAsync(
    () => api.team(group, rangeQuery(range)),
    // the ref's text names the group; the object is new on every render
    [api, teamRef, range],
  );
  return (
    <InfoCard title={`Metering of ${group.name}`}>
      <MeteringControls
        range={range}
        onRange={setRange}
        onDownload={async () =>
          saveBlob(
            await api.exportCsv(rangeQuery(range), teamRef),
            `metering-${group.name}-${range}.csv`,
          )
        }
      />
      {series.error && <ResponseErrorPanel error={series.error} />}
      {series.loading && <Progress />}
      {series.value && (
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <MeteringCharts series={series.value} what={group.name} />
          </Grid>
          <Grid item xs={12}>
            <ServiceUsageTable
              title="Services"
              services={series.value.services}
              emptyText="No service of this team was sampled in this range."
            />
          </Grid>
        </Grid>
      )}
    </InfoCard>
  );
}
