export { CodeflowTab } from './CodeflowTab';
