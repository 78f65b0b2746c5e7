export * from './ServiceContent';
