import { useCallback } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { auditApiRef } from '../../api/AuditClient';
import { AuditEventsTable } from '../AuditPage/AuditEventsTable';
import { useAuditPages } from '../AuditPage/useAuditPages';

/** The "Audit" tab: what was done to this entity, by whom, and how it ended (its owners and ops). */
export function EntityAuditContent() {
  const { entity } = useEntity();
  const api = useApi(auditApiRef);
  const ref = getCompoundEntityRef(entity);
  const { kind, namespace, name } = ref;
  const load = useCallback(
    (cursor: string | undefined) =>
      api.entityTrail({ kind, namespace, name }, { cursor, limit: 25 }),
    [api, kind, namespace, name],
  );
  const pages = useAuditPages(load);
  return (
    <AuditEventsTable
      title={`Audit trail of ${name}`}
      pages={pages}
      emptyText="Nothing has been done to this entity through the portal yet."
    />
  );
}
