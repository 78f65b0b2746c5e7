import { useState } from 'react';
import { Box, Button, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  CodeflowView,
  WebhookDelivery,
  WebhookSecretResult,
} from '@internal/plugin-container-cloud-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { RunStatus } from '../RunStatus';

const HOSTS = {
  gitlab: 'GitLab',
  gitea: 'Gitea / Forgejo',
  github: 'GitHub',
} as const;

const OUTCOME_WORDS: Record<WebhookDelivery['outcome'], string> = {
  accepted: 'accepted: a run was queued',
  ignored: 'ignored',
  refused: 'refused',
  duplicate: 'duplicate: already received',
};

/**
 * A codeflow's webhooks: whether a secret is set, the URL to give each git host, setting or
 * rotating the secret (shown this once), and the newest deliveries with what became of each.
 */
export function WebhooksPanel(props: {
  entity: CompoundEntityRef;
  codeflow: CodeflowView;
  canManage: boolean;
}) {
  const { entity, codeflow, canManage } = props;
  const api = useApi(codeflowApiRef);
  const status = useAsyncRetry(
    () => api.webhookStatus(entity, codeflow.id),
    [api, entity.namespace, entity.name, codeflow.id],
  );
  const deliveries = useAsyncRetry(
    () => api.deliveries(entity, codeflow.id, 20),
    [api, entity.namespace, entity.name, codeflow.id],
  );
  const [secret, setSecret] = useState<WebhookSecretResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function setOrRotate() {
    setBusy(true);
    setError(undefined);
    try {
      setSecret(await api.setWebhookSecret(entity, codeflow.id));
      status.retry();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const columns: TableColumn<WebhookDelivery>[] = [
    { title: 'Received', field: 'receivedAt' },
    { title: 'Host', render: d => HOSTS[d.provider] },
    { title: 'Event', render: d => d.event ?? '—' },
    {
      title: 'Ref',
      render: d =>
        d.ref
          ? `${d.refKind ?? ''} ${d.ref}${
              d.commitSha ? ` @ ${d.commitSha.slice(0, 8)}` : ''
            }`
          : '—',
    },
    {
      title: 'Outcome',
      render: d => (
        <span>
          {OUTCOME_WORDS[d.outcome]} (HTTP {d.status})
          {d.runRequestStatus === 'awaiting-approval' && (
            <>
              {' '}
              <RunStatus status="awaiting-approval" />
            </>
          )}
        </span>
      ),
    },
    { title: 'Why', field: 'reason' },
  ];

  if (status.error) return <ResponseErrorPanel error={status.error} />;
  if (!status.value) return <Progress />;
  const s = status.value;
  return (
    <Box>
      {!codeflow.triggers.webhook.enabled && (
        <Alert severity="info">
          Pushes do not run this codeflow: turn on “Pushes (git host webhook)”
          in its definition.
        </Alert>
      )}
      <Typography variant="body1" paragraph>
        {s.configured
          ? `A secret is set (by ${s.setBy ?? 'someone'} at ${s.setAt}).`
          : 'No secret is set: every delivery is refused until one is.'}
      </Typography>
      <Box component="dl" aria-label="webhook URLs">
        {(Object.keys(HOSTS) as Array<keyof typeof HOSTS>).map(host => (
          <Box key={host} display="flex" style={{ gap: 8 }}>
            <Typography
              component="dt"
              variant="body2"
              style={{ minWidth: 130 }}
            >
              {HOSTS[host]}
            </Typography>
            <Typography component="dd" variant="body2" style={{ margin: 0 }}>
              <code>{s.urls[host]}</code>
            </Typography>
          </Box>
        ))}
      </Box>
      {error && <Alert severity="error">{error}</Alert>}
      {secret && (
        <Alert severity="warning">
          {secret.rotated
            ? 'The secret was replaced: deliveries with the old one are refused from now on. '
            : ''}
          Copy it into the git host&apos;s webhook now (GitLab: Secret token) —
          it is shown only this once:{' '}
          <code aria-label="webhook secret">{secret.secret}</code>
        </Alert>
      )}
      <Box my={1}>
        <Button
          variant="outlined"
          onClick={setOrRotate}
          disabled={!canManage || busy}
          title={
            canManage
              ? undefined
              : 'Only the service’s owners may set its webhook secret'
          }
        >
          {s.configured ? 'Rotate secret' : 'Set secret'}
        </Button>
      </Box>
      {deliveries.error ? (
        <ResponseErrorPanel error={deliveries.error} />
      ) : (
        <Table<WebhookDelivery>
          title="Recent deliveries"
          isLoading={deliveries.loading}
          options={{ search: false, paging: false, padding: 'dense' }}
          columns={columns}
          data={deliveries.value?.items ?? []}
          emptyContent={
            <Box p={2}>
              <Typography variant="body2">
                No deliveries received yet.
              </Typography>
            </Box>
          }
        />
      )}
    </Box>
  );
}
