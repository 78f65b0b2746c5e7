export { ConfigFilesTab } from './ConfigFilesTab';
