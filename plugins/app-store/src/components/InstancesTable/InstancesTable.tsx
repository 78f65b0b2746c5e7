import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { appStoreApiRef } from '../../api/AppStoreClient';
import { useAppStoreLinks } from '../../hooks/basePath';
import { instanceColumns } from './columns';
import { Pager } from './Pager';
import { UnreachableClusters } from './UnreachableClusters';

const PAGE = 25;

/** The user's instances (their entities' and their teams'), a page at a time. */
export function InstancesTable() {
  const api = useApi(appStoreApiRef);
  const links = useAppStoreLinks();
  const navigate = useNavigate();
  const [offset, setOffset] = useState(0);
  const { value, loading, error } = useAsync(
    () => api.instances({ offset, limit: PAGE }),
    [api, offset],
  );
  return (
    <InfoCard title="My instances">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <UnreachableClusters unreachable={value.unreachable} />}
      {value && value.totalCount === 0 && (
        <EmptyState
          missing="data"
          title="No instances yet"
          description="Install MySQL, Redis, ZooKeeper or Kafka from the Catalogue tab: it appears here with its progress and connection details."
        />
      )}
      {value && value.totalCount > 0 && (
        <>
          <Table
            options={{
              paging: false,
              search: false,
              padding: 'dense',
              toolbar: false,
            }}
            columns={instanceColumns(links.instance)}
            data={value.items}
            onRowClick={(_event, row) => row && navigate(links.instance(row))}
          />
          <Pager
            offset={offset}
            shown={value.items.length}
            total={value.totalCount}
            pageSize={PAGE}
            onOffset={setOffset}
          />
        </>
      )}
    </InfoCard>
  );
}
