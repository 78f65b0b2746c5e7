export * from './ShellDialog';
