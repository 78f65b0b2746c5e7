/**
 * Container Cloud for Backstage: a service's codeflows on its catalog page — the definition, the
 * generated Dockerfile, runs with live logs, and webhooks.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
export { CodeflowClient, codeflowApiRef } from './api/CodeflowClient';
export type {
  CodeflowApi,
  CodeflowCredential,
  LogDownload,
  RunListQuery,
  RunLogHandlers,
} from './api/CodeflowClient';
