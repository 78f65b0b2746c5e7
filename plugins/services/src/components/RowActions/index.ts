export * from './RowActions';
