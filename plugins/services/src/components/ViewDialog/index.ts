export * from './ViewDialog';
