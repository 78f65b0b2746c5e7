export { CodeflowsTable } from './CodeflowsTable';
