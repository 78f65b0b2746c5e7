export * from './DeploymentActions';
