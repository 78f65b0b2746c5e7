export * from './ServiceBindingNotice';
