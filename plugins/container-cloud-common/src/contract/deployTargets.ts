/**
 * Where a team may run a new service: the services backend's deploy targets (the placements ops
 * granted each team, `containerCloud.binding.teamPlacements`) and its check of a service that
 * does not exist yet, which a golden-path template runs before it creates anything.
 */
import { z } from 'zod';
import { targetSchema } from './serviceRequests';

const { cluster, namespace, deployment } = targetSchema.shape;

const groupRef = z
  .string()
  .min(1, 'name the owner group, e.g. group:default/team-payments')
  .regex(
    /^(group:)?([a-z0-9][-a-z0-9_.]*\/)?[a-zA-Z0-9][-a-zA-Z0-9_.]*$/,
    'owner is a Group reference such as group:default/team-payments',
  );

/** `GET /deploy-targets?owner=`: the query. @public */
export const deployTargetsQuerySchema = z
  .object({
    /** only this group's targets (one of the caller's groups) */
    owner: groupRef.optional(),
  })
  .strict();

/** One cluster and namespace a group may run services in. @public */
export const deployTargetSchema = z.object({
  /** the group, `group:<namespace>/<name>`, lower-case */
  owner: z.string(),
  cluster: z.string(),
  namespace: z.string(),
});

/**
 * `GET /deploy-targets`: where the caller may create a new service, per group they belong to
 * (a `*` cluster spelled out per configured cluster). Empty for a caller in no group with
 * placements, with `reason` saying so.
 * @public
 */
export const deployTargetsSchema = z.object({
  items: z.array(deployTargetSchema),
  /** why the list is empty, in words, when it is */
  reason: z.string().optional(),
});

/**
 * `POST /deploy-targets/check`: could the caller create this new service now? The same checks
 * the create route will make, before the entity exists: the caller holds the services' create
 * permission for a Component that group owns (its members do, ops admins for any group), each placement is
 * one of that group's deploy targets, and the name is free (no other owner's Component and no
 * other service's workloads of that name there). Refusals are a 403 (authority) or a 409 (name
 * taken) in words; nothing is written.
 * @public
 */
export const newServiceCheckSchema = z
  .object({
    /** the Component's name, which is also its Deployment's */
    name: deployment,
    /** the owner group */
    owner: groupRef,
    placements: z
      .array(z.object({ cluster, namespace }).strict())
      .min(1, 'name at least one placement (cluster and namespace)')
      .max(50, 'at most 50 placements at once'),
  })
  .strict();

/** What the check found in one placement. @public */
export const newServicePlacementOutcomes = [
  /** nothing of that name there: it would be created */
  'would-create',
  /** the same service's Deployment is there already (a re-run of a template) */
  'exists',
] as const;

/** @public */
export const newServiceCheckResultSchema = z.object({
  name: z.string(),
  owner: z.string(),
  /** `component:default/<name>` */
  entityRef: z.string(),
  /** whether the Component is in the catalog already (owned by the same group: a re-run) */
  entity: z.enum(['absent', 'exists']),
  placements: z.array(
    z.object({
      cluster: z.string(),
      namespace: z.string(),
      outcome: z.enum(newServicePlacementOutcomes),
    }),
  ),
});

/** @public */
export type DeployTargets = z.infer<typeof deployTargetsSchema>;
/** @public */
export type DeployTarget = z.infer<typeof deployTargetSchema>;
/** @public */
export type NewServiceCheck = z.infer<typeof newServiceCheckSchema>;
/** @public */
export type NewServiceCheckResult = z.infer<typeof newServiceCheckResultSchema>;
