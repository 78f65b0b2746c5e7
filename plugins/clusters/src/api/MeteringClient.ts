import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  MeteringRangeQuery,
  MeteringSeries,
  MeteringSummary,
} from '@internal/plugin-container-cloud-common';
import {
  BackendApis,
  fetchBackend,
  fetchJson,
} from '@internal/plugin-container-cloud-react';

/** What the pages need of the clusters backend's metering routes. @public */
export interface MeteringApi {
  /** every team's averages and the top wasters (ops) */
  summary(range: MeteringRangeQuery): Promise<MeteringSummary>;
  /** a team's series (its members and ops) */
  team(
    group: CompoundEntityRef,
    range: MeteringRangeQuery,
  ): Promise<MeteringSeries>;
  /** the samples as CSV: one team's, or every team's (ops) */
  exportCsv(range: MeteringRangeQuery, team?: string): Promise<Blob>;
}

/** @public */
export const meteringApiRef = createApiRef<MeteringApi>({
  id: 'plugin.container-cloud.clusters.metering',
});

const segment = (value: string) =>
  encodeURIComponent(value.toLocaleLowerCase('en-US'));

/** The metering routes of the clusters backend. @public */
export class MeteringClient implements MeteringApi {
  constructor(protected readonly deps: BackendApis) {}

  summary(range: MeteringRangeQuery) {
    return fetchJson<MeteringSummary>(
      this.deps,
      'clusters',
      '/metering/summary',
      {
        query: { ...range },
      },
    );
  }

  team(group: CompoundEntityRef, range: MeteringRangeQuery) {
    return fetchJson<MeteringSeries>(
      this.deps,
      'clusters',
      `/metering/teams/${segment(group.namespace)}/${segment(group.name)}`,
      { query: { ...range } },
    );
  }

  async exportCsv(range: MeteringRangeQuery, team?: string) {
    const response = await fetchBackend(
      this.deps,
      'clusters',
      '/metering/export.csv',
      {
        query: { ...range, team },
      },
    );
    return response.blob();
  }
}
