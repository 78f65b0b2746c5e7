export { CodeflowDetails } from './CodeflowDetails';
