import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Box from '@material-ui/core/Box';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  ConfigFileDiff,
  ConfigFileSaveResult,
  ConfigFileSet,
  ConfigFileVersionSummary,
} from '@internal/plugin-container-cloud-common';
import { age, FileDiffView } from '@internal/plugin-container-cloud-react';
import { configFilesApiRef } from '../../api/ConfigFilesClient';
import { errorMessage } from './formats';

const PAGE = 20;

/**
 * A set's versions, a page at a time (never the whole history, never the text), a diff of any
 * two, and a rollback to any one (a new version with its text).
 */
export function VersionsDialog(props: {
  entity: CompoundEntityRef;
  set: ConfigFileSet;
  onClose(): void;
  onRolledBack(result: ConfigFileSaveResult): void;
}) {
  const api = useApi(configFilesApiRef);
  const { entity, set } = props;
  const [versions, setVersions] = useState<ConfigFileVersionSummary[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  // the list the dialog was opened from may be older than the last save: read the set again
  const [current, setCurrent] = useState(set.currentVersion);
  const [from, setFrom] = useState(Math.max(set.currentVersion - 1, 1));
  const [to, setTo] = useState(set.currentVersion);
  const [diff, setDiff] = useState<ConfigFileDiff>();
  const [busy, setBusy] = useState(false);

  const loadPage = async (before?: number) => {
    setLoading(true);
    try {
      const page = await api.versions(entity, set.name, {
        before,
        limit: PAGE,
      });
      setVersions(all => [...all, ...page.items]);
      setNextBefore(page.nextBefore);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    api
      .get(entity, set.name)
      .then(fresh => {
        setCurrent(fresh.currentVersion);
        setFrom(Math.max(fresh.currentVersion - 1, 1));
        setTo(fresh.currentVersion);
      })
      .catch(e => setError(errorMessage(e)));
    loadPage();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const showDiff = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setDiff(await api.diff(entity, set.name, from, to));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const rollback = async (version: number) => {
    setBusy(true);
    setError(undefined);
    try {
      props.onRolledBack(
        await api.rollback(entity, set.name, {
          version,
          baseVersion: current,
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const choice = (
    label: string,
    value: number,
    onChange: (v: number) => void,
  ) => (
    <TextField
      select
      id={`config-file-diff-${label.toLowerCase()}`}
      label={label}
      value={value}
      onChange={e => onChange(Number(e.target.value))}
      style={{ minWidth: 140 }}
    >
      {versions.map(v => (
        <MenuItem key={v.version} value={v.version}>
          Version {v.version}
        </MenuItem>
      ))}
    </TextField>
  );

  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>Versions of {set.name}</DialogTitle>
      <DialogContent>
        <Table size="small" aria-label="versions">
          <TableHead>
            <TableRow>
              <TableCell>Version</TableCell>
              <TableCell>Message</TableCell>
              <TableCell>By</TableCell>
              <TableCell>When</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {versions.map(v => (
              <TableRow key={v.version}>
                <TableCell>
                  {v.version}
                  {v.version === current ? ' (current)' : ''}
                </TableCell>
                <TableCell>
                  {v.message}
                  {v.origin === 'cluster' ? ' (found in the cluster)' : ''}
                </TableCell>
                <TableCell>{v.createdBy}</TableCell>
                <TableCell>{age(v.createdAt)} ago</TableCell>
                <TableCell>
                  {v.version !== current && (
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() => rollback(v.version)}
                      aria-label={`Roll back to version ${v.version}`}
                    >
                      Roll back
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {loading && <Progress />}
        {nextBefore !== null && !loading && (
          <Button size="small" onClick={() => loadPage(nextBefore)}>
            Older versions
          </Button>
        )}
        {versions.length > 1 && (
          <Box display="flex" alignItems="flex-end" mt={2} style={{ gap: 16 }}>
            {choice('From', from, setFrom)}
            {choice('To', to, setTo)}
            <Button variant="outlined" disabled={busy} onClick={showDiff}>
              Show diff
            </Button>
          </Box>
        )}
        {error && (
          <Typography color="error" role="alert">
            {error}
          </Typography>
        )}
        {diff && (
          <Box mt={2} aria-label="diff">
            {diff.redacted && (
              <Typography variant="body2">
                A secret set: the files that changed are named, their lines are
                not shown.
              </Typography>
            )}
            <FileDiffView files={diff.files} />
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
