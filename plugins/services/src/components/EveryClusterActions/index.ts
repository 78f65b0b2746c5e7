export * from './EveryClusterActions';
