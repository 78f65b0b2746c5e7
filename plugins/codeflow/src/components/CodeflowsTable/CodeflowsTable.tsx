import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { CodeflowView } from '@internal/plugin-container-cloud-common';
import { Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { useReloadOn, useRunsSignal } from '../../hooks';
import { RunStatus } from '../RunStatus';

/**
 * The newest run's status of one codeflow, read on its own so one failing read hides no row,
 * and again whenever the backend signals a change of its runs.
 */
function LastRun(props: {
  entity: CompoundEntityRef;
  codeflowId: string;
  refresh: unknown;
}) {
  const api = useApi(codeflowApiRef);
  const { entity, codeflowId, refresh } = props;
  const { value, error, loading, retry } = useAsyncRetry(
    () => api.listRuns(entity, codeflowId, { limit: 1 }),
    [api, entity.namespace, entity.name, codeflowId],
  );
  useReloadOn(useRunsSignal(codeflowId), retry);
  useReloadOn(refresh, retry);
  if (loading && !value) return <Typography variant="body2">…</Typography>;
  if (error) {
    return (
      <Typography variant="body2" title={error.message}>
        unknown
      </Typography>
    );
  }
  const run = value?.items[0];
  if (!run) return <Typography variant="body2">never run</Typography>;
  return (
    <span>
      #{run.number} <RunStatus status={run.status} />
    </span>
  );
}

/** A service's codeflows: what each builds, from where, and how its last run went. */
export function CodeflowsTable(props: {
  entity: CompoundEntityRef;
  codeflows: CodeflowView[];
  /** a new value: the page learnt that runs changed (their last runs read again) */
  refresh?: unknown;
  onOpen(codeflow: CodeflowView): void;
}) {
  const { entity, codeflows, refresh, onOpen } = props;
  const columns: TableColumn<CodeflowView>[] = [
    {
      title: 'Name',
      field: 'name',
      render: c => (
        <Link
          to="#"
          onClick={e => {
            e.preventDefault();
            onOpen(c);
          }}
        >
          {c.name}
        </Link>
      ),
    },
    { title: 'Repository', field: 'repositoryUrl' },
    {
      title: 'Branch or tag',
      render: c =>
        `${c.ref.kind === 'tag' ? 'tags' : 'branch'} ${c.ref.pattern}`,
    },
    { title: 'Build image', field: 'buildImage' },
    {
      title: 'Targets',
      render: c =>
        c.targets.length
          ? c.targets
              .map(
                t =>
                  `${t.service.replace(/^component:(default\/)?/, '')} (${
                    t.environment
                  }: ${t.placements
                    .map(p => `${p.cluster}/${p.namespace}`)
                    .join(', ')})`,
              )
              .join('; ')
          : 'none (builds only)',
    },
    {
      title: 'Last run',
      render: c => (
        <LastRun entity={entity} codeflowId={c.id} refresh={refresh} />
      ),
    },
  ];
  return (
    <Table<CodeflowView>
      title="Codeflows"
      options={{ search: false, paging: false, padding: 'dense' }}
      columns={columns}
      data={codeflows}
    />
  );
}
