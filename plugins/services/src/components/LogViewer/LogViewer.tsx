import { Fragment, ReactNode, useEffect, useRef, useState } from 'react';
import {
  Box,
  Button,
  FormControl,
  FormControlLabel,
  InputLabel,
  MenuItem,
  Select,
  Switch,
  TextField,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { PodView } from '@internal/plugin-container-cloud-common';
import { servicesApiRef } from '../../api/ServicesClient';
import { useContainerLog } from '../../hooks';
import { saveFile } from '../../lib/saveFile';
import { ViewDialog } from '../ViewDialog';

/** Tail sizes offered; the backend accepts 1 to 5000. */
export const TAIL_SIZES = [100, 500, 1000, 5000];
/** Lines a follow keeps in the page; older ones are dropped. */
/** The line with every case-insensitive match of `search` marked. */
function highlight(line: string, search: string): ReactNode {
  if (!search) return line;
  const parts: ReactNode[] = [];
  const lower = line.toLocaleLowerCase();
  const needle = search.toLocaleLowerCase();
  let from = 0;
  let at = lower.indexOf(needle, from);
  while (at >= 0) {
    parts.push(line.slice(from, at));
    parts.push(<mark key={at}>{line.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
    at = lower.indexOf(needle, from);
  }
  parts.push(line.slice(from));
  return parts.map((part, i) => <Fragment key={i}>{part}</Fragment>);
}

/**
 * A container's log: pick the container and how many lines, the previous instance, or follow it
 * live; search highlights matches; download saves what the kubelet has as a file.
 */
export function LogViewer(props: {
  entityRef: CompoundEntityRef;
  cluster: string;
  pod: PodView;
  onClose(): void;
}) {
  const { entityRef, cluster, pod, onClose } = props;
  const api = useApi(servicesApiRef);
  const [container, setContainer] = useState(pod.containers[0]?.name ?? '');
  const [tailLines, setTailLines] = useState(500);
  const [previous, setPrevious] = useState(false);
  const [follow, setFollow] = useState(false);
  const [search, setSearch] = useState('');
  const [downloadError, setDownloadError] = useState<string>();
  const bottom = useRef<HTMLDivElement>(null);
  const restarts =
    pod.containers.find(c => c.name === container)?.restarts ?? 0;

  const request = {
    cluster,
    namespace: pod.namespace,
    pod: pod.name,
    container,
    tailLines,
    previous,
  };

  const state = useContainerLog(entityRef, request, follow);

  // following: keep the newest line in view
  const lineCount = state.status === 'ready' ? state.lines.length : 0;
  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [follow, lineCount]);

  async function download() {
    setDownloadError(undefined);
    try {
      const { fileName, blob } = await api.downloadLogs(entityRef, {
        ...request,
        tailLines: 5000,
      });
      saveFile(fileName, blob);
    } catch (error) {
      setDownloadError((error as Error).message);
    }
  }

  const matches =
    state.status === 'ready' && search
      ? state.lines.filter(l =>
          l.toLocaleLowerCase().includes(search.toLocaleLowerCase()),
        ).length
      : undefined;

  return (
    <ViewDialog
      title={`Logs of ${pod.name} in ${cluster}`}
      maxWidth="lg"
      onClose={onClose}
      actions={<Button onClick={download}>Download</Button>}
    >
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 16 }}
      >
        <FormControl style={{ minWidth: 140 }}>
          <InputLabel id="log-container">Container</InputLabel>
          <Select
            labelId="log-container"
            value={container}
            onChange={e => setContainer(e.target.value as string)}
          >
            {pod.containers.map(c => (
              <MenuItem key={c.name} value={c.name}>
                {c.name}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl style={{ minWidth: 120 }}>
          <InputLabel id="log-tail">Last lines</InputLabel>
          <Select
            labelId="log-tail"
            value={tailLines}
            onChange={e => setTailLines(Number(e.target.value))}
          >
            {TAIL_SIZES.map(n => (
              <MenuItem key={n} value={n}>
                {n}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControlLabel
          title={
            restarts === 0
              ? 'This container has not restarted: there is no previous instance'
              : `Restarted ${restarts} time(s)`
          }
          control={
            <Switch
              checked={previous}
              disabled={restarts === 0 && !previous}
              onChange={e => {
                setPrevious(e.target.checked);
                if (e.target.checked) setFollow(false);
              }}
            />
          }
          label="Previous container"
        />
        <FormControlLabel
          control={
            <Switch
              checked={follow}
              onChange={e => {
                setFollow(e.target.checked);
                if (e.target.checked) setPrevious(false);
              }}
            />
          }
          label="Follow"
        />
        <TextField
          id="log-search"
          label="Search"
          value={search}
          onChange={e => setSearch(e.target.value)}
          helperText={
            matches !== undefined ? `${matches} matching line(s)` : ' '
          }
        />
      </Box>
      {downloadError && <Alert severity="error">{downloadError}</Alert>}
      <Box mt={2}>
        {state.status === 'loading' && <Progress />}
        {state.status === 'error' && (
          <Alert severity="error">{state.message}</Alert>
        )}
        {state.status === 'ready' && state.lines.length === 0 && (
          <Typography>
            {follow
              ? 'No log lines yet; new ones appear here as the container writes them.'
              : 'The container has written no log lines.'}
          </Typography>
        )}
        {state.status === 'ready' && state.lines.length > 0 && (
          <Box
            component="pre"
            role="log"
            aria-label="log lines"
            style={{
              maxHeight: '60vh',
              overflow: 'auto',
              fontSize: 12,
              margin: 0,
              whiteSpace: 'pre-wrap',
            }}
          >
            {state.lines.map((line, i) => (
              <div key={i}>{highlight(line, search)}</div>
            ))}
            <div ref={bottom} />
          </Box>
        )}
        {state.status === 'ready' && state.ended && (
          <Alert severity="info">
            The container&apos;s log stream ended (it stopped or was removed).
          </Alert>
        )}
      </Box>
    </ViewDialog>
  );
}
