export * from './DeploymentRowActions';
