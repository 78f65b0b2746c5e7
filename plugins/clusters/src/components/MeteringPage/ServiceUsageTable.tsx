import { Table, TableColumn } from '@backstage/core-components';
import type { ServiceUsage } from '@internal/plugin-container-cloud-common';
import { bytes, cores, share } from './format';

const columns: TableColumn<ServiceUsage>[] = [
  { title: 'Service', field: 'entityRef' },
  { title: 'Team', field: 'team' },
  { title: 'Replicas', field: 'replicas', render: s => s.replicas.toFixed(1) },
  {
    title: 'CPU requested / used',
    field: 'cpuRequested',
    render: s =>
      `${cores(s.cpuRequested)} / ${cores(s.cpuUsed)} (${share(
        s.cpuUsed,
        s.cpuRequested,
      )})`,
  },
  {
    title: 'Memory requested / used',
    field: 'memoryRequested',
    render: s =>
      `${bytes(s.memoryRequested)} / ${bytes(s.memoryUsed)} (${share(
        s.memoryUsed,
        s.memoryRequested,
      )})`,
  },
  { title: 'CPU not used', field: 'cpuWaste', render: s => cores(s.cpuWaste) },
];

/** Services with their averages over the range. */
export function ServiceUsageTable(props: {
  title: string;
  services: ServiceUsage[];
  emptyText: string;
}) {
  return (
    <Table<ServiceUsage>
      title={props.title}
      columns={columns}
      data={props.services}
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={<div style={{ padding: 16 }}>{props.emptyText}</div>}
    />
  );
}
