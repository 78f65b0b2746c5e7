import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Grid } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import {
  useService,
  useServiceActions,
  useServiceSignal,
  useServiceTabMarks,
} from '../../hooks';
import { servicesApiRef } from '../../api/ServicesClient';
import { DiagnosisCard } from '../DiagnosisCard';
import { HistoryCard } from '../HistoryCard';
import { EveryClusterActions } from '../EveryClusterActions';
import { ServiceBindingNotice } from '../ServiceBindingNotice';
import { OpenDialog, ServiceDialogs } from '../ServiceDialogs';
import { ServiceClusterCard } from './ServiceClusterCard';
import {
  linkedPod,
  MetricsLink,
  missingLinkMessage,
  parseMetricsLink,
  withoutMetricsLink,
} from './metricsLink';

/**
 * The container `?metrics=` names (the Alerts tab's link), read when the tab opens; `done()`
 * takes it out of the address, so a reload does not open its dialog again.
 */
function useMetricsLink() {
  const [link, setLink] = useState<MetricsLink | undefined>(() =>
    parseMetricsLink(window.location.search),
  );
  const done = useCallback(() => {
    setLink(undefined);
    const { pathname, search, hash } = window.location;
    const rest = withoutMetricsLink(search);
    if (rest !== search) {
      // the router's own state stays, only the query changes
      window.history.replaceState(
        window.history.state,
        '',
        `${pathname}${rest}${hash}`,
      );
    }
  }, []);
  return { link, done };
}

/** The service tab: the service's workloads and containers in every cluster, live. */
export function ServiceContent() {
  const { entity } = useEntity();
  // one object per entity: the memoised cards below render again only when something changed
  const ref = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const kubernetesId =
    entity.metadata.annotations?.[KUBERNETES_ID_LABEL] ?? entity.metadata.name;
  // watch events pushed by the backend; each one refreshes the views
  const lastSignal = useServiceSignal(kubernetesId);
  const { value, loading, error, retry } = useService(ref, lastSignal);
  // for the browser benchmark: when the tab mounted, and when its tables first showed data
  useServiceTabMarks(!!value && value.clusters.length > 0);
  const { busy, outcome, dismissOutcome, perform } = useServiceActions(
    ref,
    retry,
  );
  const [dialog, setDialog] = useState<OpenDialog>();
  const metricsLink = useMetricsLink();
  const [linkNotice, setLinkNotice] = useState<string>();
  useEffect(() => {
    const { link, done } = metricsLink;
    if (!link || !value) return;
    const pod = linkedPod(link, value.clusters);
    if (pod) {
      setDialog({
        kind: 'metrics',
        cluster: link.cluster,
        pod,
        container: link.container,
      });
    } else {
      setLinkNotice(missingLinkMessage(link));
    }
    done();
  }, [metricsLink, value]);
  const api = useApi(servicesApiRef);
  // a page of one cluster's containers past the first, which the view holds
  const loadPods = useCallback(
    async (cluster: string, offset: number, limit: number) => {
      const page = await api.getService(ref, {
        cluster,
        podsOffset: offset,
        podsLimit: limit,
      });
      const view = page.clusters.find(c => c.cluster === cluster);
      if (!view) throw new Error(`the backend sent no view of ${cluster}`);
      return view;
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, ref.namespace, ref.name],
  );

  const clusterList = value?.clusters.map(c => c.cluster).join('\n') ?? '';
  const clusterNames = useMemo(
    () => (clusterList ? clusterList.split('\n') : []),
    [clusterList],
  );

  if (loading && !value) return <Progress />;
  if (error && !value) return <ResponseErrorPanel error={error} />;
  if (!value) return null;

  if (value.clusters.length === 0) {
    return (
      <EmptyState
        missing="info"
        title="No clusters configured"
        description="Add clusters under kubernetes.clusterLocatorMethods in app-config.yaml (the local cloud writes them for you)."
      />
    );
  }
  const runsSomewhere = value.clusters.some(c => c.deployments.length > 0);
  // an entity that controls nothing says why (ServiceBindingNotice), not that nothing runs
  const bound = !value.binding || value.binding.state === 'bound';
  return (
    <Grid container spacing={3}>
      {outcome && (
        <Grid item xs={12}>
          <Alert severity={outcome.severity} onClose={dismissOutcome}>
            {outcome.message}
          </Alert>
        </Grid>
      )}
      {linkNotice && (
        <Grid item xs={12}>
          <Alert severity="info" onClose={() => setLinkNotice(undefined)}>
            {linkNotice}
          </Alert>
        </Grid>
      )}
      {value.binding && (
        <Grid item xs={12}>
          <ServiceBindingNotice binding={value.binding} />
        </Grid>
      )}
      {!runsSomewhere && bound && (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="This service runs in no cluster yet"
            description={`No Deployment carries the label ${KUBERNETES_ID_LABEL}=${
              value.kubernetesId
            } in ${value.clusters.map(c => c.cluster).join(' or ')}.`}
          />
        </Grid>
      )}
      {runsSomewhere && (
        <Grid item xs={12}>
          <EveryClusterActions
            entity={ref}
            clusters={value.clusters}
            onDone={retry}
          />
        </Grid>
      )}
      {value.clusters.map(view => (
        <Grid item xs={12} key={view.cluster}>
          <ServiceClusterCard
            view={view}
            loadPods={loadPods}
            setDialog={setDialog}
          />
        </Grid>
      ))}
      {runsSomewhere && (
        <Grid item xs={12}>
          <DiagnosisCard entityRef={ref} refreshKey={lastSignal} />
        </Grid>
      )}
      <Grid item xs={12}>
        <HistoryCard
          entityRef={ref}
          clusters={clusterNames}
          refreshKey={lastSignal}
        />
      </Grid>
      <ServiceDialogs
        entity={entity}
        entityRef={ref}
        dialog={dialog}
        clusters={value.clusters}
        lastSignal={lastSignal}
        busy={busy}
        onPerform={perform}
        onClose={() => setDialog(undefined)}
      />
    </Grid>
  );
}
