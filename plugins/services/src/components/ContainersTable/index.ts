export * from './ContainersTable';
