export * from './ClusterCard';
