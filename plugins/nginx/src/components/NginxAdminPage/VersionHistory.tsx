import { useState } from 'react';
import {
  EmptyState,
  InfoCard,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  FileDiff,
  nginxApiRef,
  PublishResult,
  VersionSummary,
} from '../../api/NginxClient';
import { fieldErrors } from '../fieldErrors';
import { FileDiffView } from '@internal/plugin-container-cloud-react';
import { Loaded } from './Loaded';

function outcome(result: PublishResult & { keptDrafts?: string[] }) {
  const failed = result.delivery.filter(n => !n.ok);
  const kept = result.keptDrafts?.length
    ? ` Unpublished drafts kept (the next publish publishes them): ${result.keptDrafts.join(
        ', ',
      )}.`
    : '';
  return `${outcomeOfDelivery(result, failed)}${kept}`;
}

function outcomeOfDelivery(
  result: PublishResult,
  failed: PublishResult['delivery'],
) {
  return failed.length === 0
    ? `Published version ${result.version} to every node.`
    : `Version ${result.version} recorded; failed on ${failed
        .map(n => `${n.node} (${n.message})`)
        .join(', ')}; the other nodes run it.`;
}

/** Publishing with a message, the version history, a diff of any two and rollback. */
export function VersionHistory(props: {
  cluster: string;
  loading: boolean;
  error?: Error;
  versions?: VersionSummary[];
  onChanged(): void;
}) {
  const api = useApi(nginxApiRef);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const [from, setFrom] = useState<number | ''>('');
  const [to, setTo] = useState<number | ''>('');
  const [diff, setDiff] = useState<FileDiff[]>();
  const [diffError, setDiffError] = useState<Error>();
  const [rollbackTo, setRollbackTo] = useState<VersionSummary>();

  async function run(work: () => Promise<PublishResult>) {
    setBusy(true);
    setNotice(undefined);
    try {
      const result = await work();
      setNotice({ text: outcome(result), error: !result.ok });
      props.onChanged();
    } catch (error) {
      const byField = fieldErrors((error as Error).message);
      const [field, text] = Object.entries(byField)[0];
      setNotice({
        text: field === '_' ? text : `Nothing was published. ${field}: ${text}`,
        error: true,
      });
    } finally {
      setBusy(false);
    }
  }

  async function showDiff() {
    if (from === '' || to === '') return;
    setDiffError(undefined);
    try {
      setDiff((await api.diff(props.cluster, from, to)).files);
    } catch (error) {
      setDiff(undefined);
      setDiffError(error as Error);
    }
  }

  const publishBar = (
    <Grid container spacing={1} alignItems="center">
      <Grid item xs={9}>
        <TextField
          fullWidth
          margin="dense"
          variant="outlined"
          id="nginx-publish-message"
          label="Publish message"
          value={message}
          onChange={e => setMessage(e.target.value)}
        />
      </Grid>
      <Grid item xs={3}>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={() =>
            run(() => api.publish(props.cluster, message)).then(() =>
              setMessage(''),
            )
          }
        >
          Publish {props.cluster}
        </Button>
      </Grid>
      {notice && (
        <Grid item xs={12}>
          <Typography
            role={notice.error ? 'alert' : 'status'}
            color={notice.error ? 'error' : 'textPrimary'}
          >
            {notice.text}
          </Typography>
        </Grid>
      )}
    </Grid>
  );

  function versionTable(versions: VersionSummary[]) {
    const columns: TableColumn<VersionSummary>[] = [
      { title: 'Version', field: 'id' },
      {
        title: 'When',
        render: v => new Date(v.createdAt).toLocaleString(),
      },
      { title: 'Who', field: 'createdBy' },
      { title: 'Message', field: 'message' },
      {
        title: 'Delivery',
        render: v =>
          (v.delivery ?? [])
            .map(n => `${n.node}: ${n.ok ? 'ok' : 'failed'}`)
            .join(', '),
      },
      {
        title: '',
        render: v => (
          <Button
            size="small"
            aria-label={`roll back to version ${v.id}`}
            onClick={() => setRollbackTo(v)}
          >
            Roll back
          </Button>
        ),
      },
    ];
    const choices = versions.map(v => (
      <MenuItem key={v.id} value={v.id}>
        {v.id}: {v.message || '(no message)'}
      </MenuItem>
    ));
    const versionField = (
      id: string,
      label: string,
      value: number | '',
      onChange: (version: number) => void,
    ) => (
      <Grid item xs={4}>
        <TextField
          select
          fullWidth
          id={id}
          label={label}
          value={value}
          onChange={e => onChange(Number(e.target.value))}
        >
          {choices}
        </TextField>
      </Grid>
    );
    return (
      <>
        <Table
          options={{ paging: false, search: false, toolbar: false }}
          columns={columns}
          data={versions}
        />
        <Grid container spacing={1} alignItems="center">
          {versionField('nginx-diff-from', 'Diff from', from, setFrom)}
          {versionField('nginx-diff-to', 'to', to, setTo)}
          <Grid item xs={4}>
            <Button
              variant="outlined"
              disabled={from === '' || to === ''}
              onClick={showDiff}
            >
              Show diff
            </Button>
          </Grid>
        </Grid>
        {diffError && <ResponseErrorPanel error={diffError} />}
        {diff && <FileDiffView files={diff} />}
      </>
    );
  }

  const neverPublished = (
    <EmptyState
      missing="data"
      title="Never published"
      description="Publish to record the first version."
    />
  );
  const history = (
    <Loaded status={props} items={props.versions} empty={neverPublished}>
      {versionTable}
    </Loaded>
  );

  return (
    <InfoCard title={`Versions of ${props.cluster}`}>
      {publishBar}
      {history}
      {rollbackTo && (
        <Dialog open onClose={() => setRollbackTo(undefined)}>
          <DialogTitle>Roll back to version {rollbackTo.id}?</DialogTitle>
          <DialogContent>
            <Typography>
              Its domains are checked with nginx -t again and published as a new
              version, with the Kubernetes members as they are now; the domains
              become what they were then, except unpublished drafts, which stay
              drafts.
            </Typography>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setRollbackTo(undefined)}>Cancel</Button>
            <Button
              color="primary"
              disabled={busy}
              onClick={() => {
                const version = rollbackTo.id;
                setRollbackTo(undefined);
                run(() => api.rollback(props.cluster, version));
              }}
            >
              Roll back
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </InfoCard>
  );
}
