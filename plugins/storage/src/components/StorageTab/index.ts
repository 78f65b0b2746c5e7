export { StorageTab } from './StorageTab';
