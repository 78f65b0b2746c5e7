import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  Content,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import type {
  InstanceAttachResult,
  InstanceDetail,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { appStoreApiRef, InstanceRef } from '../../api/AppStoreClient';
import { useAppStoreLinks } from '../../hooks/basePath';
import { isSettled, useInstance } from '../../hooks/useInstance';
import {
  AttachDialog,
  DeleteDialog,
  ExtendDialog,
  RollbackDialog,
  UpgradeDialog,
} from './ActionDialogs';
import { ConnectionCard } from './ConnectionCard';
import { FailureCard } from './FailureCard';
import { HistoryCard } from './HistoryCard';
import { PodsCard } from './PodsCard';
import { StatusCard } from './StatusCard';

type Open =
  | { dialog: 'upgrade' | 'extend' | 'delete' | 'attach' }
  | { dialog: 'rollback'; revision: number };

/** The actions one instance offers, as buttons, and the dialog that is open. */
function InstanceBody(props: {
  instance: InstanceDetail;
  instanceRef: InstanceRef;
  reload: () => void;
}) {
  const { instance, instanceRef, reload } = props;
  const api = useApi(appStoreApiRef);
  const [open, setOpen] = useState<Open>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [attached, setAttached] = useState<InstanceAttachResult>();
  const gone = instance.phase === 'deleted' || instance.phase === 'expired';

  /** Runs a mutation, and reads the instance again whatever happened (a 409 shows it as it is now). */
  const act = async (mutation: () => Promise<unknown>) => {
    try {
      await mutation();
    } catch (e) {
      if (e instanceof ContainerCloudApiError && e.status === 409) {
        throw new Error(
          `${e.message} (the page now shows the instance as it is)`,
        );
      }
      throw e;
    } finally {
      reload();
    }
  };
  /** A one-click action (Retry, Remove): its error shown above the cards. */
  const click = async (mutation: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await act(mutation);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Box display="flex" style={{ gap: 8 }} mb={2}>
        <Button
          variant="outlined"
          disabled={gone}
          onClick={() => setOpen({ dialog: 'upgrade' })}
        >
          Upgrade
        </Button>
        {instance.environment === 'test' && (
          <Button
            variant="outlined"
            disabled={gone}
            onClick={() => setOpen({ dialog: 'extend' })}
          >
            Extend
          </Button>
        )}
        <Button
          variant="outlined"
          disabled={gone || !instance.connection}
          onClick={() => setOpen({ dialog: 'attach' })}
        >
          Attach to a service
        </Button>
        <Button
          variant="outlined"
          color="secondary"
          disabled={gone}
          onClick={() => setOpen({ dialog: 'delete' })}
        >
          Delete
        </Button>
      </Box>
      {error && (
        <Typography color="error" role="alert" paragraph>
          {error}
        </Typography>
      )}
      {attached && (
        <Typography variant="body2" paragraph role="status">
          Set {attached.variables.join(', ')} in {attached.service}'s container{' '}
          {attached.container} ({attached.cluster}/{attached.namespace}/
          {attached.deployment})
          {attached.notes.length > 0 ? `; ${attached.notes.join('; ')}` : ''}
        </Typography>
      )}
      <Grid container spacing={3}>
        {instance.failure && !gone && (
          <Grid item xs={12}>
            <FailureCard
              failure={instance.failure}
              busy={busy}
              onRetry={() =>
                click(() =>
                  api.upgrade(instanceRef, { version: instance.version }),
                )
              }
              onRemove={() => click(() => api.remove(instanceRef))}
            />
          </Grid>
        )}
        <Grid item xs={12} md={7}>
          <StatusCard instance={instance} />
        </Grid>
        <Grid item xs={12} md={5}>
          <ConnectionCard instance={instance} instanceRef={instanceRef} />
        </Grid>
        <Grid item xs={12}>
          <PodsCard pods={instance.pods} />
        </Grid>
        <Grid item xs={12}>
          <HistoryCard
            history={instance.history}
            busy={gone || !isSettled(instance)}
            onRollback={revision => setOpen({ dialog: 'rollback', revision })}
          />
        </Grid>
      </Grid>
      {open?.dialog === 'upgrade' && (
        <UpgradeDialog
          instance={instance}
          onClose={() => setOpen(undefined)}
          onUpgrade={(version, preset) =>
            act(() =>
              api.upgrade(instanceRef, { version, preset: preset as any }),
            )
          }
        />
      )}
      {open?.dialog === 'extend' && (
        <ExtendDialog
          instance={instance}
          onClose={() => setOpen(undefined)}
          onExtend={days => act(() => api.extend(instanceRef, days))}
        />
      )}
      {open?.dialog === 'delete' && (
        <DeleteDialog
          instance={instance}
          onClose={() => setOpen(undefined)}
          onDelete={() => act(() => api.remove(instanceRef))}
        />
      )}
      {open?.dialog === 'attach' && (
        <AttachDialog
          instance={instance}
          onClose={() => setOpen(undefined)}
          onAttach={(service, prefix) =>
            act(async () =>
              setAttached(await api.attach(instanceRef, { service, prefix })),
            )
          }
        />
      )}
      {open?.dialog === 'rollback' && (
        <RollbackDialog
          instance={instance}
          revision={open.revision}
          onClose={() => setOpen(undefined)}
          onRollback={() => act(() => api.rollback(instanceRef, open.revision))}
        />
      )}
    </>
  );
}

/** One instance's page: progress, pods, connection, history, and what its owner may do with it. */
export function InstancePage() {
  const params = useParams();
  const instanceRef: InstanceRef = {
    cluster: params.cluster ?? '',
    namespace: params.namespace ?? '',
    name: params.name ?? '',
  };
  const links = useAppStoreLinks();
  const { value, loading, error, retry } = useInstance(instanceRef);
  return (
    <Page themeId="tool">
      <Header
        title={instanceRef.name}
        subtitle={
          value
            ? `${value.chart} ${value.version} in ${instanceRef.cluster}/${instanceRef.namespace}`
            : `${instanceRef.cluster}/${instanceRef.namespace}`
        }
        type="App store instance"
      />
      <Content>
        <Box mb={2}>
          <Link to={links.instances}>All my instances</Link>
        </Box>
        {!value && loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <InstanceBody
            instance={value}
            instanceRef={instanceRef}
            reload={retry}
          />
        )}
      </Content>
    </Page>
  );
}
