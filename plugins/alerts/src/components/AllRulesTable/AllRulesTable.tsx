import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  ALERT_SEVERITIES,
  AlertRuleListItem,
} from '@internal/plugin-container-cloud-common';
import { rulesApiRef } from '../../api/RulesClient';

const PAGE = 25;

/** The entity page of a rule's service. */
function serviceLink(entityRef: string) {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase(
    'en-US',
  )}/${name}/alerts`;
}

/** Ops' list of every service's alert rules, by severity, team and cluster, a page at a time. */
export function AllRulesTable() {
  const api = useApi(rulesApiRef);
  const [severity, setSeverity] = useState('');
  const [team, setTeam] = useState('');
  const [cluster, setCluster] = useState('');
  const [offset, setOffset] = useState(0);
  const { value, loading, error } = useAsync(
    () =>
      api.allRules({
        severity: (severity || undefined) as any,
        team: team.trim() || undefined,
        cluster: cluster.trim() || undefined,
        offset,
        limit: PAGE,
      }),
    [api, severity, team, cluster, offset],
  );
  const columns: TableColumn<AlertRuleListItem>[] = [
    {
      title: 'Service',
      render: r => <Link to={serviceLink(r.entityRef)}>{r.entityRef}</Link>,
    },
    { title: 'Team', field: 'owner' },
    { title: 'Rule', render: r => r.rule.name },
    {
      title: 'Condition',
      render: r =>
        `${r.rule.metric} ${r.rule.comparison} ${r.rule.threshold} for ${r.rule.for}`,
    },
    { title: 'Container', render: r => r.rule.container ?? 'every' },
    { title: 'Severity', render: r => r.rule.severity },
    { title: 'Clusters', render: r => r.clusters.join(', ') || '—' },
    { title: 'Version', field: 'version' },
  ];
  const reset =
    <T,>(setter: (v: T) => void) =>
    (v: T) => {
      setter(v);
      setOffset(0);
    };
  return (
    <InfoCard title="Every alert rule">
      <Box display="flex" mb={2} style={{ gap: 16 }}>
        <TextField
          id="all-rules-severity"
          label="Severity"
          select
          value={severity}
          onChange={e => reset(setSeverity)(e.target.value as string)}
          style={{ minWidth: 140 }}
        >
          <MenuItem value="">any</MenuItem>
          {ALERT_SEVERITIES.map(s => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="all-rules-team"
          label="Team (group:default/...)"
          value={team}
          onChange={e => reset(setTeam)(e.target.value)}
        />
        <TextField
          id="all-rules-cluster"
          label="Cluster"
          value={cluster}
          onChange={e => reset(setCluster)(e.target.value)}
        />
      </Box>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && value.total === 0 && (
        <EmptyState
          missing="data"
          title="No alert rules"
          description="No service has a rule that matches these filters."
        />
      )}
      {value && value.total > 0 && (
        <>
          <Table
            options={{
              paging: false,
              search: false,
              padding: 'dense',
              toolbar: false,
            }}
            columns={columns}
            data={value.items}
          />
          <Box display="flex" alignItems="center" mt={1} style={{ gap: 16 }}>
            <Typography variant="body2">
              {offset + 1}–{offset + value.items.length} of {value.total}
            </Typography>
            <Button
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              Previous
            </Button>
            <Button
              disabled={offset + PAGE >= value.total}
              onClick={() => setOffset(offset + PAGE)}
            >
              Next
            </Button>
          </Box>
        </>
      )}
    </InfoCard>
  );
}
