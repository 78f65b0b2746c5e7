export * from './HelmRunner';
export * from './CliHelmRunner';
