export { InstallDialog, FORM_OWNED_VALUES } from './InstallDialog';
