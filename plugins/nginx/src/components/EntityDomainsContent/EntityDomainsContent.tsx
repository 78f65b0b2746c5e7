import { useState } from 'react';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { CodeEditor } from '@internal/plugin-container-cloud-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DomainView, nginxApiRef, Upstream } from '../../api/NginxClient';
import { conflictOf } from '../conflict';
import {
  FormError,
  membersText,
  parseMembers,
} from '../DomainEditor/domainForm';

/** Edits the members of one upstream: what a service's owners may change in its domains. */
function MembersDialog(props: {
  domain: DomainView;
  upstream: Upstream;
  onClose(): void;
  onSaved(message: string): void;
  /** someone else changed the domain meanwhile: show it as it is now */
  onReload(): void;
}) {
  const api = useApi(nginxApiRef);
  const [text, setText] = useState(membersText(props.upstream));
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<string>();

  async function save() {
    setError(undefined);
    setConflict(undefined);
    let parsed;
    try {
      parsed = parseMembers(text, 'members');
    } catch (e) {
      setError((e as FormError).message);
      return;
    }
    setSaving(true);
    try {
      const result = await api.updateMembers(
        props.domain.cluster,
        props.domain.name,
        {
          version: props.domain.version,
          upstreams: [
            {
              name: props.upstream.name,
              members: parsed.members,
              ...(parsed.kubernetes.length
                ? { kubernetes: parsed.kubernetes }
                : {}),
            },
          ],
        },
      );
      props.onSaved(
        result.publish
          ? `Published as version ${result.publish.version}${
              result.publish.ok ? '' : ' (some nodes failed; ops are told)'
            }.`
          : 'Saved; it goes live with the next publish.',
      );
    } catch (e) {
      const lost = conflictOf(e);
      if (lost) setConflict(lost.message);
      else setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        Members of {props.upstream.name} ({props.domain.name})
      </DialogTitle>
      <DialogContent>
        {conflict && (
          <Typography color="error" role="alert">
            {conflict}{' '}
            <Button size="small" color="primary" onClick={props.onReload}>
              Reload
            </Button>
          </Typography>
        )}
        <CodeEditor
          minLines={3}
          id="nginx-upstream-members"
          label="Members"
          value={text}
          error={error}
          helperText="comma-separated: 10.0.0.1:8080 weight=5, 10.0.0.2:8080 backup, k8s:cluster/namespace/service:http"
          onChange={setText}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button color="primary" disabled={saving} onClick={save}>
          Save and publish
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The "Domains" tab: the service's domains; its owners edit upstream members. */
export function EntityDomainsContent() {
  const { entity } = useEntity();
  const api = useApi(nginxApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.domainsOfEntity(entityRef),
    [api, entityRef],
  );
  const [editing, setEditing] = useState<{
    domain: DomainView;
    upstream: Upstream;
  }>();
  const [notice, setNotice] = useState<string>();

  // a reload after an edit keeps the list on screen
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <EmptyState
        missing="data"
        title="No domains"
        description={`No nginx domain names ${entityRef} as its owner. Ops add domains on the Nginx page.`}
      />
    );
  }
  return (
    <Grid container spacing={3}>
      {notice && (
        <Grid item xs={12}>
          <Typography role="status">{notice}</Typography>
        </Grid>
      )}
      {value.map(domain => (
        <Grid item xs={12} key={`${domain.cluster}/${domain.name}`}>
          <InfoCard
            title={domain.serverNames.join(' ')}
            subheader={`domain ${domain.name} on nginx cluster ${domain.cluster}`}
          >
            {domain.upstreams.map(upstream => (
              <Grid container key={upstream.name} alignItems="center">
                <Grid item xs={10}>
                  <Typography variant="body2">
                    <b>{upstream.name}</b>: {membersText(upstream)}
                  </Typography>
                </Grid>
                <Grid item xs={2}>
                  <Button
                    size="small"
                    aria-label={`edit members of ${upstream.name} in ${domain.name}`}
                    onClick={() => setEditing({ domain, upstream })}
                  >
                    Edit members
                  </Button>
                </Grid>
              </Grid>
            ))}
            {domain.grayRelease && (
              <Typography variant="body2">
                Gray release: {domain.grayRelease.canaryPercent}% to{' '}
                {domain.grayRelease.canary}
              </Typography>
            )}
          </InfoCard>
        </Grid>
      ))}
      {editing && (
        <MembersDialog
          domain={editing.domain}
          upstream={editing.upstream}
          onClose={() => setEditing(undefined)}
          onSaved={message => {
            setEditing(undefined);
            setNotice(message);
            retry();
          }}
          onReload={() => {
            setEditing(undefined);
            setNotice(
              'The domain was changed by someone else; it is shown as it is now. Make your change again.',
            );
            retry();
          }}
        />
      )}
    </Grid>
  );
}
