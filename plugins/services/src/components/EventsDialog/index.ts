export * from './EventsDialog';
