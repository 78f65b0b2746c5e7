import type {
  MeteringPoint,
  ServiceUsage,
  UsageFigures,
} from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';

const TABLE = 'metering_samples';

/** `sample`: one row per service per sampling interval; `hour`, `day`: their averages. */
export type Resolution = 'sample' | 'hour' | 'day';

/** One service's numbers for one interval. */
export interface ServiceSample extends UsageFigures {
  entityRef: string;
  kubernetesId: string;
  team: string;
}

const FIGURES = [
  'cpu_requested',
  'cpu_used',
  'memory_requested',
  'memory_used',
  'replicas',
] as const;

function figuresOf(row: Record<string, unknown>): UsageFigures {
  return {
    cpuRequested: Number(row.cpu_requested ?? 0),
    cpuUsed: Number(row.cpu_used ?? 0),
    memoryRequested: Number(row.memory_requested ?? 0),
    memoryUsed: Number(row.memory_used ?? 0),
    replicas: Number(row.replicas ?? 0),
  };
}

function usageOf(row: Record<string, unknown>): ServiceUsage {
  const figures = figuresOf(row);
  return {
    entityRef: String(row.entity_ref),
    kubernetesId: String(row.kubernetes_id),
    team: String(row.team),
    ...figures,
    cpuWaste: Math.max(0, figures.cpuRequested - figures.cpuUsed),
    memoryWaste: Math.max(0, figures.memoryRequested - figures.memoryUsed),
  };
}

/** Which services a query reads: one team's, one service, or all. */
export interface MeteringScope {
  team?: string;
  entityRef?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The start of the hour or day (UTC) a time falls in. */
export function bucketStart(time: number, resolution: 'hour' | 'day'): number {
  const size = resolution === 'hour' ? HOUR : DAY;
  return Math.floor(time / size) * size;
}

/**
 * The metering table: samples written once per (service, interval), hourly and daily averages
 * rolled up from them, series and averages over a range, and pruning by age.
 */
export class MeteringStore {
  constructor(private readonly knex: Knex) {}

  private rowOf(resolution: Resolution, start: number, s: ServiceSample) {
    return {
      resolution,
      interval_start: start,
      entity_ref: s.entityRef,
      kubernetes_id: s.kubernetesId,
      team: s.team,
      cpu_requested: s.cpuRequested,
      cpu_used: s.cpuUsed,
      memory_requested: s.memoryRequested,
      memory_used: s.memoryUsed,
      replicas: s.replicas,
    };
  }

  /** Writes an interval's samples; the same interval written again replaces its rows. */
  async write(
    resolution: Resolution,
    intervalStart: number,
    samples: ServiceSample[],
  ): Promise<void> {
    // a few hundred rows per statement stays under SQLite's variable limit
    for (let i = 0; i < samples.length; i += 300) {
      await this.knex(TABLE)
        .insert(
          samples
            .slice(i, i + 300)
            .map(s => this.rowOf(resolution, intervalStart, s)),
        )
        .onConflict(['resolution', 'entity_ref', 'interval_start'])
        .merge([...FIGURES, 'team', 'kubernetes_id']);
    }
  }

  /**
   * Averages the finer rows of one hour (from samples) or one day (from hours) into its row per
   * service; run again as more samples arrive, it replaces the row.
   */
  async rollUp(resolution: 'hour' | 'day', start: number): Promise<number> {
    const source: Resolution = resolution === 'hour' ? 'sample' : 'hour';
    const end = start + (resolution === 'hour' ? HOUR : DAY);
    const rows = await this.averages(source, start, end - 1, {});
    await this.write(resolution, start, rows);
    return rows.length;
  }

  /** Each service's averages over [from, to] at a resolution. */
  async averages(
    resolution: Resolution,
    from: number,
    to: number,
    scope: MeteringScope,
  ): Promise<ServiceUsage[]> {
    const rows = await this.scoped(resolution, from, to, scope)
      .select('entity_ref', 'kubernetes_id', 'team')
      .avg({
        cpu_requested: 'cpu_requested',
        cpu_used: 'cpu_used',
        memory_requested: 'memory_requested',
        memory_used: 'memory_used',
        replicas: 'replicas',
      })
      .groupBy('entity_ref', 'kubernetes_id', 'team')
      .orderBy('entity_ref');
    return rows.map(usageOf);
  }

  /** Per interval, the sums over the scope's services, oldest first. */
  async points(
    resolution: Resolution,
    from: number,
    to: number,
    scope: MeteringScope,
  ): Promise<MeteringPoint[]> {
    const rows = await this.scoped(resolution, from, to, scope)
      .select('interval_start')
      .sum({
        cpu_requested: 'cpu_requested',
        cpu_used: 'cpu_used',
        memory_requested: 'memory_requested',
        memory_used: 'memory_used',
        replicas: 'replicas',
      })
      .groupBy('interval_start')
      .orderBy('interval_start');
    return rows.map((row: Record<string, unknown>) => ({
      time: Math.floor(Number(row.interval_start) / 1000),
      ...figuresOf(row),
    }));
  }

  /** Every row of the scope in [from, to], oldest first (the CSV export). */
  async rows(
    resolution: Resolution,
    from: number,
    to: number,
    scope: MeteringScope,
  ): Promise<Array<ServiceSample & { intervalStart: number }>> {
    const rows = await this.scoped(resolution, from, to, scope)
      .select('*')
      .orderBy(['interval_start', 'entity_ref']);
    return rows.map((row: Record<string, unknown>) => ({
      intervalStart: Number(row.interval_start),
      entityRef: String(row.entity_ref),
      kubernetesId: String(row.kubernetes_id),
      team: String(row.team),
      ...figuresOf(row),
    }));
  }

  /** When the newest sample was taken, or undefined before the first. */
  async lastSample(): Promise<number | undefined> {
    const row = await this.knex(TABLE)
      .where('resolution', 'sample')
      .max({ last: 'interval_start' })
      .first();
    return row?.last === null || row?.last === undefined
      ? undefined
      : Number(row.last);
  }

  /** Deletes the rows of a resolution older than `before`; how many went. */
  async prune(resolution: Resolution, before: number): Promise<number> {
    return this.knex(TABLE)
      .where('resolution', resolution)
      .where('interval_start', '<', before)
      .delete();
  }

  private scoped(
    resolution: Resolution,
    from: number,
    to: number,
    scope: MeteringScope,
  ) {
    const query = this.knex(TABLE)
      .where('resolution', resolution)
      .whereBetween('interval_start', [from, to]);
    if (scope.team) query.where('team', scope.team);
    if (scope.entityRef) query.where('entity_ref', scope.entityRef);
    return query;
  }
}
