export * from './auditRecord';
export * from './containerCloudAuditorServiceFactory';
