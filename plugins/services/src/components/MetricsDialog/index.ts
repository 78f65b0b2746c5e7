export * from './MetricsDialog';
