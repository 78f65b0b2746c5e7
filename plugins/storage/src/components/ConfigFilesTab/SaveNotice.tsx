import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { ConfigFileSaveResult } from '@internal/plugin-container-cloud-common';
import { configFilesApiRef } from '../../api/ConfigFilesClient';
import { errorMessage } from './formats';

/**
 * What a save did and how the new text reaches the containers: folder mounts are updated in
 * place by the kubelet; files mounted by subPath keep the old text until a rolling restart,
 * which this offers.
 */
export function SaveNotice(props: {
  entity: CompoundEntityRef;
  result: ConfigFileSaveResult;
  onRestarted(): void;
  onClose(): void;
}) {
  const api = useApi(configFilesApiRef);
  const { result } = props;
  const [state, setState] = useState<{
    busy?: boolean;
    error?: string;
    done?: boolean;
  }>({});
  const restart = async () => {
    setState({ busy: true });
    try {
      await api.restart(props.entity, result.set.name);
      setState({ done: true });
      props.onRestarted();
    } catch (error) {
      setState({ error: errorMessage(error) });
    }
  };
  const needed = result.restartNeeded;
  return (
    <Paper variant="outlined" role="status" aria-label="save result">
      <Box p={2}>
        <Typography variant="body2">
          Saved {result.set.name} as version {result.set.currentVersion}.
        </Typography>
        {result.notes.map(note => (
          <Typography key={note} variant="body2">
            {note}
          </Typography>
        ))}
        {needed.length > 0 && !state.done && (
          <>
            <Typography variant="body2">
              Still running the old text:{' '}
              {needed.map(d => `${d.deployment} in ${d.cluster}`).join(', ')}.
            </Typography>
            <Button
              size="small"
              variant="outlined"
              disabled={state.busy}
              onClick={restart}
            >
              Rolling restart
            </Button>
          </>
        )}
        {state.done && (
          <Typography variant="body2">
            Restarting: new pods start with version {result.set.currentVersion}.
          </Typography>
        )}
        {state.error && (
          <Typography variant="body2" color="error">
            {state.error}
          </Typography>
        )}
        <Button size="small" onClick={props.onClose}>
          Dismiss
        </Button>
      </Box>
    </Paper>
  );
}
