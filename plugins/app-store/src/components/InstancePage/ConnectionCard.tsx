import { useState } from 'react';
import {
  CopyTextButton,
  InfoCard,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import type { InstanceDetail } from '@internal/plugin-container-cloud-common';
import { appStoreApiRef, InstanceRef } from '../../api/AppStoreClient';
import { SIMULATED_HELP } from '../PhaseStatus';

/** How to reach the instance; the password only on request (audited), shown once. */
export function ConnectionCard(props: {
  instance: InstanceDetail;
  instanceRef: InstanceRef;
}) {
  const { instance, instanceRef } = props;
  const api = useApi(appStoreApiRef);
  const [password, setPassword] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const connection = instance.connection;

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPassword((await api.reveal(instanceRef)).password);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title="Connection">
      {!connection ? (
        <Typography variant="body2" color="textSecondary">
          The connection details appear once the chart's Service exists.
        </Typography>
      ) : (
        <>
          <StructuredMetadataTable
            metadata={{
              host: connection.host,
              port: connection.port,
              user: connection.user ?? '—',
              password: connection.passwordSecret
                ? `in Secret ${connection.passwordSecret.name}, key ${connection.passwordSecret.key}`
                : '—',
            }}
          />
          {instance.simulated && (
            <Typography variant="caption" color="textSecondary" component="p">
              Simulated: {SIMULATED_HELP}
            </Typography>
          )}
          {connection.passwordSecret && (
            <Box mt={1}>
              <Button variant="outlined" disabled={busy} onClick={reveal}>
                Reveal password
              </Button>
            </Box>
          )}
          {error && (
            <Typography color="error" role="alert">
              {error}
            </Typography>
          )}
        </>
      )}
      <Dialog
        open={password !== undefined}
        onClose={() => setPassword(undefined)}
        aria-labelledby="reveal-title"
      >
        <DialogTitle id="reveal-title">Password of {instance.name}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" paragraph>
            Shown once: copy it now. Revealing it again is recorded again.
          </Typography>
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Typography
              component="code"
              aria-label="Password"
              style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
            >
              {password}
            </Typography>
            <CopyTextButton
              text={password ?? ''}
              tooltipText="Password copied"
            />
          </Box>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPassword(undefined)}>Close</Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
}
