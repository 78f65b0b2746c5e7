export { RunHistory, RUNS_PAGE_SIZE } from './RunHistory';
