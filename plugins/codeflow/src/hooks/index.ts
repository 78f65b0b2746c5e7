export { useCodeflowPermissions } from './useCodeflowPermissions';
export type { CodeflowPermissions } from './useCodeflowPermissions';
export { useReloadOn, useRunsSignal } from './useRunsSignal';
export { MAX_LOG_LINES, useRunLog } from './useRunLog';
export type { LogLine, RunLogState } from './useRunLog';
