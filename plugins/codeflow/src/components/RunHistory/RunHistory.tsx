import { useState } from 'react';
import { Box, Button, Typography } from '@material-ui/core';
import {
  EmptyState,
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { CodeflowRun } from '@internal/plugin-container-cloud-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { useReloadOn } from '../../hooks';
import {
  duration,
  startedBy,
  stepsInOrder,
  triggerWords,
} from '../../lib/words';
import { RunStatus } from '../RunStatus';

/** Runs a page of the history shows. */
export const RUNS_PAGE_SIZE = 20;

/** Each step's duration in words, for a row's hover and its expanded view. */
function stepDurations(run: CodeflowRun): string {
  return stepsInOrder(run.steps)
    .map(s => `${s.name}: ${s.status}, ${duration(s.durationMs)}`)
    .join('\n');
}

function StepsDetail(props: { run: CodeflowRun }) {
  const { run } = props;
  return (
    <Box p={2}>
      <Typography variant="subtitle2">Steps of run #{run.number}</Typography>
      <ul style={{ margin: 0 }}>
        {stepsInOrder(run.steps).map(s => (
          <li key={s.name}>
            {s.name}: <RunStatus status={s.status} />
            {s.durationMs !== null && ` ${duration(s.durationMs)}`}
            {s.detail ? ` — ${s.detail}` : ''}
          </li>
        ))}
      </ul>
      {run.reason && <Typography color="error">{run.reason}</Typography>}
    </Box>
  );
}

/** A codeflow's runs, newest first, a page at a time; read again on every `signal`. */
export function RunHistory(props: {
  entity: CompoundEntityRef;
  codeflowId: string;
  signal: unknown;
  onOpen(run: CodeflowRun): void;
}) {
  const { entity, codeflowId, signal, onOpen } = props;
  const api = useApi(codeflowApiRef);
  // the `before` of each page shown so far: the last is the current page
  const [pages, setPages] = useState<Array<number | undefined>>([undefined]);
  const before = pages[pages.length - 1];
  const state = useAsyncRetry(
    () => api.listRuns(entity, codeflowId, { limit: RUNS_PAGE_SIZE, before }),
    [api, entity.namespace, entity.name, codeflowId, before],
  );
  useReloadOn(signal, state.retry);

  const columns: TableColumn<CodeflowRun>[] = [
    {
      title: '#',
      render: r => (
        <Link
          to="#"
          onClick={e => {
            e.preventDefault();
            onOpen(r);
          }}
        >
          #{r.number}
        </Link>
      ),
    },
    { title: 'Status', render: r => <RunStatus status={r.status} /> },
    { title: 'Trigger', render: r => triggerWords(r.trigger) },
    { title: 'Who', render: r => startedBy(r) },
    {
      title: 'Commit',
      render: r =>
        r.commit ? (
          <span title={r.commit.message}>
            <code>{r.commit.sha.slice(0, 8)}</code>{' '}
            {r.commit.message.split('\n')[0]} ({r.commit.author})
          </span>
        ) : (
          `${r.ref.kind} ${r.ref.name}`
        ),
    },
    {
      title: 'Image',
      render: r => (
        <span>
          {r.image ?? '—'}
          {r.preprocessingReused && (
            <Typography variant="caption" component="div">
              reused pre-processing image
            </Typography>
          )}
        </span>
      ),
    },
    {
      title: 'Duration',
      render: r => (
        <span title={stepDurations(r)}>{duration(r.durationMs)}</span>
      ),
    },
  ];

  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const page = state.value;
  if (page && page.items.length === 0 && pages.length === 1) {
    return (
      <EmptyState
        missing="data"
        title="No runs yet"
        description="Runs appear here when someone presses Run or the git host reports a push."
      />
    );
  }
  return (
    <>
      <Table<CodeflowRun>
        title={`Runs${
          page?.active ? ` (${page.active} queued or running)` : ''
        }`}
        isLoading={state.loading && !page}
        options={{ search: false, paging: false, padding: 'dense' }}
        columns={columns}
        data={page?.items ?? []}
        detailPanel={({ rowData }) => <StepsDetail run={rowData} />}
      />
      <Box display="flex" justifyContent="flex-end" style={{ gap: 8 }} mt={1}>
        <Button
          disabled={pages.length === 1}
          onClick={() => setPages(p => p.slice(0, -1))}
        >
          Newer runs
        </Button>
        <Button
          disabled={!page?.nextBefore}
          onClick={() => setPages(p => [...p, page!.nextBefore!])}
        >
          Older runs
        </Button>
      </Box>
    </>
  );
}
