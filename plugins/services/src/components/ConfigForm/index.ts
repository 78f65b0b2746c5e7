export * from './ConfigForm';
