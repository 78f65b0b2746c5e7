import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  AlertAdminQuery,
  AlertView,
} from '@internal/plugin-container-cloud-common';
import { alertsApiRef } from '../../api/AlertsClient';
import { alertColumns, AlertSourcesNotice } from '../FiringAlertsCard';

const PAGE = 25;

/** The catalog page of an entity, from its ref. */
function entityPage(entityRef: string): string | undefined {
  try {
    const ref = parseEntityRef(entityRef);
    return `/catalog/${ref.namespace}/${ref.kind.toLowerCase()}/${ref.name}`;
  } catch {
    return undefined;
  }
}

/** Where a service's Service tab is. */
function serviceTab(alert: AlertView): string | undefined {
  const page = alert.entityRef ? entityPage(alert.entityRef) : undefined;
  return page ? `${page}/service` : undefined;
}

function EntityLink(props: { entityRef?: string }) {
  if (!props.entityRef) return <>—</>;
  const page = entityPage(props.entityRef);
  const name = props.entityRef.replace(/^[^:]+:(default\/)?/, '');
  return page ? <Link to={`${page}/alerts`}>{name}</Link> : <>{name}</>;
}

/** Ops' list of every alert of every service: filters by severity, team, cluster and state, pages. */
export function AlertsTable() {
  const api = useApi(alertsApiRef);
  const [filters, setFilters] = useState<AlertAdminQuery>({});
  const [offset, setOffset] = useState(0);
  const state = useAsyncRetry(
    () => api.allAlerts({ ...filters, offset, limit: PAGE }),
    [api, filters, offset],
  );
  const set = (key: keyof AlertAdminQuery) => (value: string) => {
    setOffset(0);
    setFilters(f => ({ ...f, [key]: value || undefined }));
  };

  const filterBar = (
    <Grid container spacing={2}>
      <Grid item>
        <TextField
          id="alerts-severity"
          select
          label="Severity"
          value={filters.severity ?? ''}
          onChange={e => set('severity')(e.target.value as string)}
          style={{ minWidth: 140 }}
        >
          <MenuItem value="">any</MenuItem>
          <MenuItem value="critical">critical</MenuItem>
          <MenuItem value="warning">warning</MenuItem>
          <MenuItem value="info">info</MenuItem>
        </TextField>
      </Grid>
      <Grid item>
        <TextField
          id="alerts-state"
          select
          label="State"
          value={filters.state ?? ''}
          onChange={e => set('state')(e.target.value as string)}
          style={{ minWidth: 140 }}
        >
          <MenuItem value="">any</MenuItem>
          <MenuItem value="firing">firing</MenuItem>
          <MenuItem value="pending">pending</MenuItem>
          <MenuItem value="silenced">silenced</MenuItem>
        </TextField>
      </Grid>
      <Grid item>
        <TextField
          id="alerts-team"
          label="Team"
          placeholder="team-payments"
          onBlur={e => set('team')(e.target.value.trim())}
        />
      </Grid>
      <Grid item>
        <TextField
          id="alerts-cluster"
          label="Cluster"
          placeholder="local-a"
          onBlur={e => set('cluster')(e.target.value.trim())}
        />
      </Grid>
    </Grid>
  );

  let content;
  if (state.loading && !state.value) content = <Progress />;
  else if (state.error) content = <ResponseErrorPanel error={state.error} />;
  else if (state.value) {
    const { items, total, sources } = state.value;
    const unknown = sources.some(s => s.status !== 'ok');
    content = (
      <>
        <AlertSourcesNotice sources={sources} />
        <Table
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            toolbar: false,
          }}
          columns={[
            {
              title: 'Service',
              render: a => <EntityLink entityRef={a.entityRef} />,
            },
            {
              title: 'Team',
              render: a => a.owner?.replace(/^group:(default\/)?/, '') ?? '—',
            },
            ...alertColumns(serviceTab),
          ]}
          data={items}
          emptyContent={
            <div style={{ padding: 16 }}>
              {unknown
                ? 'No alerts from the sources that answered; the others are unknown.'
                : 'No alerts match.'}
            </div>
          }
        />
        <Grid container alignItems="center" spacing={2}>
          <Grid item>
            <Typography variant="body2">
              {total === 0
                ? '0 alerts'
                : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}`}
            </Typography>
          </Grid>
          <Grid item>
            <Button
              size="small"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              Previous
            </Button>
            <Button
              size="small"
              disabled={offset + PAGE >= total}
              onClick={() => setOffset(offset + PAGE)}
            >
              Next
            </Button>
          </Grid>
        </Grid>
      </>
    );
  }

  return (
    <InfoCard
      title="Every alert"
      subheader="Firing, pending and silenced, across services"
    >
      {filterBar}
      {content}
    </InfoCard>
  );
}
