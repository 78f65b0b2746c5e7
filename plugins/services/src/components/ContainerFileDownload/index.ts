export * from './ContainerFileDownload';
