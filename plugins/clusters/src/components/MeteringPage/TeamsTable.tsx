import { Table, TableColumn } from '@backstage/core-components';
import type { MeteringSummary } from '@internal/plugin-container-cloud-common';
import { bytes, cores, share } from './format';

type TeamRow = MeteringSummary['teams'][number];

const columns: TableColumn<TeamRow>[] = [
  { title: 'Team', field: 'team' },
  { title: 'Services', field: 'services' },
  {
    title: 'CPU requested / used',
    field: 'cpuRequested',
    render: t =>
      `${cores(t.cpuRequested)} / ${cores(t.cpuUsed)} (${share(
        t.cpuUsed,
        t.cpuRequested,
      )})`,
  },
  {
    title: 'Memory requested / used',
    field: 'memoryRequested',
    render: t =>
      `${bytes(t.memoryRequested)} / ${bytes(t.memoryUsed)} (${share(
        t.memoryUsed,
        t.memoryRequested,
      )})`,
  },
];

/** Every team's averages; a row opens the team's charts. */
export function TeamsTable(props: {
  teams: TeamRow[];
  onSelect: (team: string) => void;
}) {
  return (
    <Table<TeamRow>
      title="Teams"
      columns={columns}
      data={props.teams}
      onRowClick={(_event, row) => row && props.onSelect(row.team)}
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={
        <div style={{ padding: 16 }}>
          No samples in this range yet: metering samples every few minutes.
        </div>
      }
    />
  );
}
