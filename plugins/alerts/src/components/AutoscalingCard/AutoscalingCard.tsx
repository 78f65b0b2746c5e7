import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { autoscalingApiRef } from '../../api/AutoscalingClient';
import { AutoscalingForm } from './AutoscalingForm';
import { DecisionsTable } from './DecisionsTable';

/**
 * A service's autoscaling on its Alerts tab: the settings (metric, target per replica, min and
 * max, on or off) and the autoscaler's recent decisions, with why it held when it did.
 */
export function AutoscalingCard() {
  const { entity } = useEntity();
  const api = useApi(autoscalingApiRef);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.get(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );

  let content;
  if (loading && !value) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (value) {
    const [latest] = value.decisions;
    content = (
      <>
        {value.settings?.enabled && latest?.outcome === 'held' && (
          <Typography role="status" color="error" gutterBottom>
            Held at its current size: {latest.reason}
          </Typography>
        )}
        {value.deployments.length === 0 && (
          <Typography color="textSecondary" gutterBottom>
            No Deployment of this service is running in a cluster it may use
            yet.
          </Typography>
        )}
        <AutoscalingForm
          // a reload (after a save or a 409) edits the settings as they are now
          key={value.settings?.version ?? 0}
          settings={value.settings}
          deployments={value.deployments}
          onSave={async save => {
            await api.save(ref, save);
            retry();
          }}
          onReload={retry}
        />
        <Typography variant="caption" color="textSecondary" component="p">
          Every {value.intervalSeconds} s the autoscaler sets the replicas to
          ceil(sum of use / target) within min and max, split across clusters by
          {value.split === 'free-capacity'
            ? ' their free CPU (allocatable less requested).'
            : ' their current share.'}
        </Typography>
        <DecisionsTable decisions={value.decisions} />
      </>
    );
  }
  return <InfoCard title="Autoscaling">{content}</InfoCard>;
}
