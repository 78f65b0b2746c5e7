import { Table, TableColumn } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import {
  AUTOSCALING_METRIC_INFO,
  type AutoscalingDecision,
} from '@internal/plugin-container-cloud-common';

const OUTCOME_LABELS: Record<AutoscalingDecision['outcome'], string> = {
  scaled: 'Scaled',
  steady: 'Steady',
  held: 'Held',
};

function when(d: AutoscalingDecision) {
  const first = new Date(d.at).toLocaleTimeString();
  if (d.count === 1) return first;
  return `${first} – ${new Date(d.lastAt).toLocaleTimeString()} (×${d.count})`;
}

function replicas(d: AutoscalingDecision) {
  if (d.current === null) return '–';
  if (d.desired === null || d.desired === d.current) return String(d.current);
  return `${d.current} → ${d.desired}`;
}

function perCluster(d: AutoscalingDecision) {
  return d.clusters
    .map(c => {
      const change =
        c.desired === c.replicas
          ? `${c.replicas}`
          : `${c.replicas} → ${c.desired}`;
      const trouble = c.outcome === 'conflict' || c.outcome === 'failed';
      const info = AUTOSCALING_METRIC_INFO[d.metric];
      const usage =
        !info || info.percentOfRequest
          ? `${c.usage}%`
          : `${c.usage} ${info.unit}`;
      return `${c.cluster}: ${change}${
        trouble ? ` (${c.outcome})` : ''
      }, ${usage} over ${c.pods} pod${c.pods === 1 ? '' : 's'}`;
    })
    .join('; ');
}

const columns: TableColumn<AutoscalingDecision>[] = [
  { title: 'When', render: when, width: '14em' },
  {
    title: 'Outcome',
    render: d => (
      <Chip
        size="small"
        label={OUTCOME_LABELS[d.outcome]}
        color={d.outcome === 'scaled' ? 'primary' : 'default'}
        variant={d.outcome === 'held' ? 'outlined' : 'default'}
      />
    ),
    width: '7em',
  },
  { title: 'Replicas', render: replicas, width: '7em' },
  {
    title: 'Why',
    render: d => (
      <>
        <Typography variant="body2">{d.reason}</Typography>
        {d.clusters.length > 0 && (
          <Typography variant="caption" color="textSecondary">
            {perCluster(d)}
          </Typography>
        )}
      </>
    ),
  },
];

/** The autoscaler's recent decisions, newest first. */
export function DecisionsTable(props: { decisions: AutoscalingDecision[] }) {
  return (
    <Table<AutoscalingDecision>
      title="Decisions"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.decisions}
      emptyContent={
        <Typography style={{ padding: 16 }} color="textSecondary">
          No decisions yet: the autoscaler decides once autoscaling is on, every
          cycle.
        </Typography>
      }
    />
  );
}
