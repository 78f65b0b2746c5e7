import { Link, TableColumn } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { age } from '@internal/plugin-container-cloud-react';
import type { AlertView } from '@internal/plugin-container-cloud-common';

/**
 * Where the Service tab opens the container's metrics dialog: the tab, with the container named
 * in the query (`metrics=<cluster>/<namespace>/<pod>[/<container>]`).
 */
export function metricsHref(
  alert: AlertView,
  serviceTab: string,
): string | undefined {
  const link = alert.metricsLink;
  if (!link) return undefined;
  const target = [link.cluster, link.namespace, link.pod, link.container]
    .filter(Boolean)
    .join('/');
  return `${serviceTab}?metrics=${encodeURIComponent(target)}`;
}

const SEVERITY_COLORS: Record<string, 'secondary' | 'primary' | 'default'> = {
  critical: 'secondary',
  warning: 'primary',
};

/** The columns of an alerts table; `serviceTab(alert)` is where its service's Service tab is. */
export function alertColumns(
  serviceTab: (alert: AlertView) => string | undefined,
): TableColumn<AlertView>[] {
  return [
    {
      title: 'Severity',
      render: a => (
        <Chip
          size="small"
          label={a.severity ?? 'none'}
          color={SEVERITY_COLORS[a.severity ?? ''] ?? 'default'}
        />
      ),
    },
    {
      title: 'Alert',
      render: a => (
        <>
          <Typography variant="body2">{a.name}</Typography>
          {a.summary && (
            <Typography variant="caption" color="textSecondary">
              {a.summary}
            </Typography>
          )}
        </>
      ),
    },
    { title: 'State', field: 'state' },
    {
      title: 'Container',
      render: a => {
        const name = [a.pod, a.container].filter(Boolean).join(' / ');
        const tab = serviceTab(a);
        const href = tab ? metricsHref(a, tab) : undefined;
        if (!name) return '—';
        return href ? (
          <Link to={href} aria-label={`Metrics of ${name}`}>
            {name}
          </Link>
        ) : (
          name
        );
      },
    },
    { title: 'Cluster', render: a => a.cluster ?? '—' },
    {
      title: 'Since',
      render: a =>
        a.startsAt ? (
          <span title={new Date(a.startsAt).toLocaleString()}>
            {age(a.startsAt)}
          </span>
        ) : (
          '—'
        ),
    },
    { title: 'Value', render: a => a.value ?? '—' },
  ];
}
