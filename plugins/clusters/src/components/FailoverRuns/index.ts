export { FailoverRuns } from './FailoverRuns';
