export { InstallDialog, FORM_OWNED_VALUES, formErrors } from './InstallDialog';
