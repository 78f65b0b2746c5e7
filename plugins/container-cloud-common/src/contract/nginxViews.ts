/**
 * What the nginx backend answers: the zod schema of every response, and the types derived from
 * them, for the frontend and anyone automating against it. The backend's OpenAPI document shows
 * these schemas; its answers are not parsed with them again.
 */
import { z } from 'zod';
import { domainSchema, domainViewSchema } from './nginxRequests';

/** One line of a unified diff: kept (' '), removed ('-') or added ('+'). @public */
export const diffLineSchema = z.object({
  op: z.enum([' ', '-', '+']),
  text: z.string(),
});
/** @public */
export type DiffLine = z.infer<typeof diffLineSchema>;

/** The lines of one file as they differ between two versions. @public */
export const fileDiffSchema = z.object({
  file: z.string(),
  lines: z.array(diffLineSchema),
});
/** @public */
export type FileDiff = z.infer<typeof fileDiffSchema>;

/** `GET /diff`: what changed from one version of a cluster to another, file by file. @public */
export const versionDiffSchema = z.object({
  cluster: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  files: z.array(fileDiffSchema),
});
/** @public */
export type VersionDiff = z.infer<typeof versionDiffSchema>;

/** A saved (or read) domain, with its version, and the conf.d text it renders to now. @public */
export const renderedDomainSchema = z.object({
  domain: domainViewSchema,
  text: z.string(),
});
/** @public */
export type RenderedDomain = z.infer<typeof renderedDomainSchema>;

/** `GET /domains`, `GET /entity-domains`. @public */
export const domainListSchema = z.object({ items: z.array(domainViewSchema) });

/** What a version recorded about its delivery to one node. @public */
export const nodeResultSchema = z.object({
  node: z.string(),
  ok: z.boolean(),
  message: z.string(),
  /** how many tries it took, when more than one */
  attempts: z.number().int().optional(),
});
/** @public */
export type NodeResult = z.infer<typeof nodeResultSchema>;

/** A version of a cluster's configuration, without its files and domains. @public */
export const versionSummarySchema = z.object({
  id: z.number().int(),
  cluster: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  message: z.string(),
  /** the version this one restored */
  rollbackOf: z.number().int().optional(),
  delivery: z.array(nodeResultSchema).optional(),
});
/** @public */
export type VersionSummary = z.infer<typeof versionSummarySchema>;

/** `GET /versions`: newest first. @public */
export const versionListSchema = z.object({
  items: z.array(versionSummarySchema),
});

/** A version with its files and domains. @public */
export const versionSchema = versionSummarySchema.extend({
  /** conf.d file name → full text, byte for byte as delivered */
  files: z.record(z.string(), z.string()),
  domains: z.array(domainSchema),
});
/** @public */
export type Version = z.infer<typeof versionSchema>;

/** What a publish or rollback recorded and how its delivery went. @public */
export const publishResultSchema = z.object({
  version: z.number().int(),
  /** true when every node took the version */
  ok: z.boolean(),
  delivery: z.array(nodeResultSchema),
});
/** @public */
export type PublishResult = z.infer<typeof publishResultSchema>;

/**
 * `POST /rollback`: the version it recorded, and the domains whose unpublished drafts it kept
 * (their saved definitions stay the drafts; the next publish publishes them). @public
 */
export const rollbackResultSchema = publishResultSchema.extend({
  keptDrafts: z.array(z.string()),
});
/** @public */
export type RollbackResult = z.infer<typeof rollbackResultSchema>;

/** The answer to a change of upstream members: the domain, and the publish when it was live. @public */
export const upstreamMembersResultSchema = z.object({
  domain: domainViewSchema,
  publish: publishResultSchema.optional(),
});
/** @public */
export type UpstreamMembersResult = z.infer<typeof upstreamMembersResultSchema>;

/** One nginx node of a cluster. @public */
export const nginxNodeSummarySchema = z.object({
  name: z.string(),
  confDir: z.string(),
  /** the node's result in the cluster's newest version; a failed node still runs an older one */
  lastDelivery: nodeResultSchema.nullable(),
});
/** @public */
export type NginxNodeSummary = z.infer<typeof nginxNodeSummarySchema>;

/** @public */
export const nginxClusterSummarySchema = z.object({
  name: z.string(),
  environment: z.string(),
  /** the newest version, null before the first publish */
  currentVersion: z.number().int().nullable(),
  nodes: z.array(nginxNodeSummarySchema),
});
/** @public */
export type NginxClusterSummary = z.infer<typeof nginxClusterSummarySchema>;

/** `GET /clusters`. @public */
export const nginxClusterListSchema = z.object({
  items: z.array(nginxClusterSummarySchema),
});

/** `POST /test-environments/sync`: the test domains added, updated and removed, and their publish. @public */
export const testEnvironmentSyncResultSchema = z.object({
  added: z.array(z.string()),
  updated: z.array(z.string()),
  removed: z.array(z.string()),
  publish: publishResultSchema.optional(),
});
/** @public */
export type TestEnvironmentSyncResult = z.infer<
  typeof testEnvironmentSyncResultSchema
>;
