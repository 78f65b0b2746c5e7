export * from './ServicesPage';
