export * from './ImageTagPicker';
