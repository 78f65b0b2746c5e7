export { useService } from './useService';
export { useServiceDiagnosis } from './useServiceDiagnosis';
export { useServiceHistory } from './useServiceHistory';
export { useServiceEvents } from './useServiceEvents';
export { useServiceList } from './useServiceList';
export { useContainerMetrics } from './useContainerMetrics';
export {
  serviceSignalChannel,
  useReloadOn,
  useServiceSignal,
} from './useServiceSignal';
export { useServiceActions } from './useServiceActions';
export type { OperationOutcome, ServiceOperation } from './useServiceActions';
export { describeExit, useShellSession } from './useShellSession';
export type { Status as ShellStatus } from './useShellSession';
export { useContainerLog } from './useContainerLog';
export type { ContainerLog } from './useContainerLog';
