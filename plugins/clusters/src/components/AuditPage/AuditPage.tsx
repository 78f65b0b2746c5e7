import { useCallback, useState } from 'react';
import { Content, Header, InfoCard, Page } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import { auditApiRef } from '../../api/AuditClient';
import { AuditEventsTable } from './AuditEventsTable';
import {
  AuditFilters,
  AuditFilterValues,
  NO_FILTERS,
  searchOf,
} from './AuditFilters';
import { useAuditPages } from './useAuditPages';

/** Ops' audit log: who did what, to which entity, where, and how it ended. */
export function AuditPage() {
  const api = useApi(auditApiRef);
  const facets = useAsync(() => api.facets(), [api]);
  const [filters, setFilters] = useState<AuditFilterValues>(NO_FILTERS);
  const load = useCallback(
    (cursor: string | undefined) =>
      api.search({ ...searchOf(filters), cursor, limit: 25 }),
    [api, filters],
  );
  const pages = useAuditPages(load);
  return (
    <Page themeId="tool">
      <Header
        title="Audit log"
        subtitle="Every audited action of the suite's plugins: who, what, where, and how it ended"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <InfoCard title="Search">
              <AuditFilters facets={facets.value} onSearch={setFilters} />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <AuditEventsTable
              title="Events, newest first"
              pages={pages}
              emptyText="Nothing audited matches these filters."
            />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
