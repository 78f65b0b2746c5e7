export * from './DebugDialog';
