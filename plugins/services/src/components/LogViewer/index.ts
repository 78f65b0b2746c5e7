export * from './LogViewer';
