/**
 * The wire contract of the Container Cloud backends: zod schemas of every request and response,
 * and the types derived from them. The backends parse with these schemas and generate their
 * OpenAPI documents from them; the frontends type their clients with the derived types.
 */
export * from './alertRules';
export * from './appStore';
export * from './alerts';
export * from './audit';
export * from './autoscaling';
export * from './clusters';
export * from './codeflow';
export * from './codeflowWebhooks';
export * from './codeflowRuns';
export * from './deployTargets';
export * from './metering';
export * from './nginxRequests';
export * from './nginxViews';
export * from './serviceCreate';
export * from './serviceRequests';
export * from './serviceViews';
export * from './storageConfigFiles';
export * from './storageVolumes';
