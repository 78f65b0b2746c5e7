export { InstancesTable } from './InstancesTable';
export { instanceColumns } from './columns';
export { Pager } from './Pager';
export { UnreachableClusters } from './UnreachableClusters';
