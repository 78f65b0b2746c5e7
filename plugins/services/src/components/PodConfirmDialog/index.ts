export * from './PodConfirmDialog';
