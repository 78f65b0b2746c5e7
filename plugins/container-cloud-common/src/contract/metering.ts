/**
 * The metering wire contract: CPU and memory requested and used, and replicas, per service and
 * per team over a range; the top wasters (requested far above used). CPU in cores, memory in
 * bytes, both averaged over each point's interval.
 */
import { z } from 'zod';

const isoTime = (field: string) =>
  z
    .string()
    .refine(
      value => !Number.isNaN(Date.parse(value)),
      `${field} must be a date and time, e.g. 2026-12-01T00:00:00Z`,
    );

const MAX_RANGE_DAYS = 400;

/** The range's ends as the backend reads them: `to` defaults to now, `from` to a day before `to`. */
function ends(r: { from?: string; to?: string }) {
  const to = r.to ? Date.parse(r.to) : Date.now();
  const from = r.from ? Date.parse(r.from) : to - 86_400_000;
  return { from, to };
}

/** A range: `from` and `to` (default: the last 24 hours), at most 400 days, in order. @public */
export const meteringRangeQuerySchema = z
  .object({
    from: isoTime('from').optional(),
    to: isoTime('to').optional(),
  })
  .strict()
  .refine(r => ends(r).from < ends(r).to, {
    message: 'to must be after from (to defaults to now)',
    path: ['to'],
  })
  .refine(r => ends(r).to - ends(r).from <= MAX_RANGE_DAYS * 86_400_000, {
    message: `the range is at most ${MAX_RANGE_DAYS} days`,
    path: ['from'],
  });
/** @public */
export type MeteringRangeQuery = z.infer<typeof meteringRangeQuerySchema>;

/** The export's range, and optionally one team. @public */
export const meteringExportQuerySchema = z
  .object({
    from: isoTime('from').optional(),
    to: isoTime('to').optional(),
    team: z
      .string()
      .regex(
        /^group:[a-z0-9-_.]+\/[a-z0-9-_.]+$/i,
        'team must be a group ref, group:namespace/name',
      )
      .optional(),
  })
  .strict()
  .refine(r => ends(r).from < ends(r).to, {
    message: 'to must be after from (to defaults to now)',
    path: ['to'],
  })
  .refine(r => ends(r).to - ends(r).from <= MAX_RANGE_DAYS * 86_400_000, {
    message: `the range is at most ${MAX_RANGE_DAYS} days`,
    path: ['from'],
  });
/** @public */
export type MeteringExportQuery = z.infer<typeof meteringExportQuerySchema>;

const catalogName = (field: string) =>
  z.string().regex(/^[a-z0-9-_.]+$/i, `${field} is a catalog name`);

/** `/metering/teams/:namespace/:name` and `/metering/services/:namespace/:name`. @public */
export const meteringEntityParamsSchema = z.object({
  namespace: catalogName('namespace'),
  name: catalogName('name'),
});

/** Requested and used CPU and memory, and replicas. @public */
export const usageFiguresSchema = z.object({
  cpuRequested: z.number(),
  cpuUsed: z.number(),
  memoryRequested: z.number(),
  memoryUsed: z.number(),
  replicas: z.number(),
});
/** @public */
export type UsageFigures = z.infer<typeof usageFiguresSchema>;

/** One point of a series: the start of its interval, unix seconds. @public */
export const meteringPointSchema = usageFiguresSchema.extend({
  time: z.number(),
});
/** @public */
export type MeteringPoint = z.infer<typeof meteringPointSchema>;

/** One service's averages over the range. @public */
export const serviceUsageSchema = usageFiguresSchema.extend({
  entityRef: z.string(),
  kubernetesId: z.string(),
  team: z.string(),
  /** requested minus used CPU, in cores (what the service holds and does not use) */
  cpuWaste: z.number(),
  memoryWaste: z.number(),
});
/** @public */
export type ServiceUsage = z.infer<typeof serviceUsageSchema>;

/** Which resolution the points have, chosen by the range's length. @public */
export const meteringResolutionSchema = z.enum(['sample', 'hour', 'day']);

/** A team's or a service's numbers over a range. @public */
export const meteringSeriesSchema = z.object({
  from: z.string(),
  to: z.string(),
  resolution: meteringResolutionSchema,
  /** sums over the services, per interval, oldest first */
  points: z.array(meteringPointSchema),
  /** each service's averages over the range */
  services: z.array(serviceUsageSchema),
});
/** @public */
export type MeteringSeries = z.infer<typeof meteringSeriesSchema>;

/** Every team's averages over a range, and the services that waste the most. @public */
export const meteringSummarySchema = z.object({
  from: z.string(),
  to: z.string(),
  teams: z.array(
    usageFiguresSchema.extend({ team: z.string(), services: z.number() }),
  ),
  /** the services with the most CPU requested and not used, most first */
  wasters: z.array(serviceUsageSchema),
  /** when the newest sample was taken (ISO 8601), or null before the first */
  lastSample: z.string().nullable(),
});
/** @public */
export type MeteringSummary = z.infer<typeof meteringSummarySchema>;
