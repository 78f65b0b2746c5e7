import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import type { AlertRuleDelivery } from '@internal/plugin-container-cloud-common';

/** What a chip says of one Prometheus: "local: loaded v3", "local: failed", ... */
export function deliveryLabel(d: AlertRuleDelivery): string {
  switch (d.state) {
    case 'loaded':
      return `${d.prometheus}: loaded v${d.loadedVersion}`;
    case 'delivered':
      return `${d.prometheus}: v${d.deliveredVersion} written, not loaded yet`;
    case 'failed':
      return `${d.prometheus}: delivery failed`;
    default:
      return `${d.prometheus}: not delivered yet`;
  }
}

/** Where each Prometheus stands with the service's current rules. */
export function DeliveryStatus(props: { delivery: AlertRuleDelivery[] }) {
  if (props.delivery.length === 0) return null;
  return (
    <>
      {props.delivery.map(d => (
        <Tooltip
          key={d.prometheus}
          title={`${d.message} (clusters: ${d.clusters.join(', ') || 'none'})`}
        >
          <Chip
            size="small"
            style={{ marginRight: 8 }}
            color={d.state === 'loaded' ? 'primary' : 'default'}
            label={deliveryLabel(d)}
          />
        </Tooltip>
      ))}
    </>
  );
}
