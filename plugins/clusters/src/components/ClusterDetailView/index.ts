export { ClusterDetailView } from './ClusterDetailView';
