import { useState } from 'react';
import { Box, Chip, TablePagination } from '@material-ui/core';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import type { ServiceSummary } from '@internal/plugin-container-cloud-common';
import { useServiceList } from '../../hooks';

const PAGE_SIZES = [20, 50, 100];

// why a service controls no workloads (its Service tab says it in full)
const UNBOUND = {
  untrusted: 'controls nothing: untrusted location',
  conflict: 'controls nothing: its id is claimed twice',
  unplaced: 'controls nothing: no placements',
};

function Replicas({ service }: { service: ServiceSummary }) {
  const label = `${service.ready}/${service.desired}`;
  const state = service.binding?.state;
  if (state && state !== 'bound') {
    return <StatusWarning>{UNBOUND[state]}</StatusWarning>;
  }
  if (service.desired === 0) return <StatusPending>not running</StatusPending>;
  if (service.ready >= service.desired) return <StatusOK>{label}</StatusOK>;
  return <StatusError>{label}</StatusError>;
}

function useColumns(): TableColumn<ServiceSummary>[] {
  const entityLink = useEntityRefLink();
  return [
    {
      title: 'Service',
      render: s => (
        <Link to={`${entityLink(s.entityRef)}/service`}>
          {s.title ?? s.name}
        </Link>
      ),
    },
    { title: 'Namespace', field: 'namespace' },
    { title: 'Owner', render: s => s.owner ?? '' },
    {
      title: 'Ready',
      render: s => (
        <span aria-label={`ready ${s.name}`}>
          <Replicas service={s} />
        </span>
      ),
    },
    {
      title: 'Clusters',
      render: s => (
        <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
          {s.clusters
            .filter(c => c.desired > 0 || !c.reachable)
            .map(c => (
              <Chip
                key={c.cluster}
                size="small"
                label={
                  c.reachable
                    ? `${c.cluster} ${c.ready}/${c.desired}`
                    : `${c.cluster} unreachable`
                }
                color={
                  c.reachable && c.ready >= c.desired ? 'default' : 'secondary'
                }
              />
            ))}
        </Box>
      ),
    },
  ];
}

/** Every service in the catalog (Components that name their workloads) and how each runs. */
export function ServicesPage() {
  const columns = useColumns();
  const [owner, setOwner] = useState<'mine' | 'all'>('mine');
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);
  const { value, loading, error, retry } = useServiceList({
    owner,
    limit: pageSize,
    offset: page * pageSize,
  });

  let body;
  if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (loading && !value) {
    body = <Progress />;
  } else if (value && value.totalItems === 0) {
    body = (
      <EmptyState
        missing="data"
        title={owner === 'mine' ? 'You own no services' : 'No services yet'}
        description={
          owner === 'mine'
            ? 'No Component owned by you or your groups carries the backstage.io/kubernetes-id annotation. Show all services to see the others.'
            : 'A service is a catalog Component with the backstage.io/kubernetes-id annotation; none has it yet.'
        }
      />
    );
  } else if (value) {
    body = (
      <>
        <Table
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={columns}
          data={value.items}
          isLoading={loading}
        />
        <TablePagination
          component="div"
          count={value.totalItems}
          page={page}
          rowsPerPage={pageSize}
          rowsPerPageOptions={PAGE_SIZES}
          onPageChange={(_e, next) => setPage(next)}
          onRowsPerPageChange={e => {
            setPageSize(Number(e.target.value));
            setPage(0);
          }}
        />
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Services"
        subtitle="Every service in the catalog and its replicas in every cluster"
      />
      <Content>
        <ContentHeader
          title={owner === 'mine' ? 'My services' : 'All services'}
        >
          <ToggleButtonGroup
            exclusive
            size="small"
            value={owner}
            aria-label="owner"
            onChange={(_e, next) => {
              if (next) {
                setOwner(next);
                setPage(0);
              }
            }}
          >
            <ToggleButton value="mine">Mine</ToggleButton>
            <ToggleButton value="all">All</ToggleButton>
          </ToggleButtonGroup>
          <Box ml={1}>
            <Chip size="small" label="refresh" onClick={retry} />
          </Box>
        </ContentHeader>
        {body}
      </Content>
    </Page>
  );
}
