export * from './ServiceDialogs';
