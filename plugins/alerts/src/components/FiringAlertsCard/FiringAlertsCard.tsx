import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useSignal } from '@backstage/plugin-signals-react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import {
  alertsSignalChannel,
  AlertView,
  SilenceView,
} from '@internal/plugin-container-cloud-common';
import { alertsApiRef } from '../../api/AlertsClient';
import { alertColumns } from './alertColumns';
import { AlertSourcesNotice } from './AlertSourcesNotice';
import { SilenceDialog } from './SilenceDialog';
import { SilencesTable } from './SilencesTable';

/**
 * The service's firing and pending alerts (refetched when the backend signals a change) and its
 * silences, with dialogs to create and expire them.
 */
export function FiringAlertsCard() {
  const { entity } = useEntity();
  const ref = getCompoundEntityRef(entity);
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(alertsApiRef);
  const alertApi = useApi(alertApiRef);
  const [silencing, setSilencing] = useState<{ alert?: AlertView }>();
  const [expiring, setExpiring] = useState<string>();

  const state = useAsyncRetry(async () => {
    const [alerts, silences] = await Promise.all([
      api.entityAlerts(ref),
      api.silences(ref),
    ]);
    return { alerts, silences };
  }, [api, entityRef]);

  const { lastSignal } = useSignal(alertsSignalChannel(entityRef));
  useEffect(() => {
    if (lastSignal) state.retry();
  }, [lastSignal]); // eslint-disable-line react-hooks/exhaustive-deps

  const expire = async (silence: SilenceView) => {
    setExpiring(silence.id);
    try {
      await api.expireSilence(ref, silence.id);
      state.retry();
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
    } finally {
      setExpiring(undefined);
    }
  };

  let content;
  if (state.loading && !state.value) {
    content = <Progress />;
  } else if (state.error) {
    content = <ResponseErrorPanel error={state.error} />;
  } else if (state.value) {
    const { alerts, silences } = state.value;
    const unknown = alerts.sources.some(s => s.status !== 'ok');
    content = (
      <Grid container spacing={2} direction="column">
        <Grid item>
          <AlertSourcesNotice
            sources={[...alerts.sources, silences.source].filter(
              (s, i, all) => all.findIndex(o => o.source === s.source) === i,
            )}
          />
        </Grid>
        <Grid item>
          <Table
            title="Firing and pending"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={[
              ...alertColumns(() => '../service'),
              {
                title: '',
                render: a => (
                  <Button
                    size="small"
                    onClick={() => setSilencing({ alert: a })}
                    aria-label={`Silence ${a.name}`}
                  >
                    Silence
                  </Button>
                ),
              },
            ]}
            data={alerts.items}
            emptyContent={
              <div style={{ padding: 16 }}>
                {unknown
                  ? 'No alerts from the sources that answered; the others are unknown.'
                  : 'No alerts are firing or pending.'}
              </div>
            }
          />
        </Grid>
        <Grid item>
          <SilencesTable
            silences={silences.items}
            onExpire={expire}
            busy={expiring}
          />
        </Grid>
      </Grid>
    );
  }

  return (
    <InfoCard
      title="Alerts"
      subheader="From Alertmanager and Prometheus; updates as alerts change"
      action={
        <Button
          color="primary"
          onClick={() => setSilencing({})}
          style={{ marginTop: 8 }}
        >
          Silence all
        </Button>
      }
    >
      {content}
      <SilenceDialog
        open={Boolean(silencing)}
        alert={silencing?.alert}
        onClose={() => setSilencing(undefined)}
        onSubmit={async silence => {
          await api.createSilence(ref, silence);
          setSilencing(undefined);
          state.retry();
        }}
      />
    </InfoCard>
  );
}
