import { useState } from 'react';
import { Table, TableColumn } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import type { SilenceView } from '@internal/plugin-container-cloud-common';

/**
 * A service's silences, the active ones first; each active or pending one can be expired. Expired
 * ones (Alertmanager keeps them for days) are hidden until asked for, so they do not bury the
 * silences that act now.
 */
export function SilencesTable(props: {
  silences: SilenceView[];
  onExpire(silence: SilenceView): void;
  busy?: string;
}) {
  const [showExpired, setShowExpired] = useState(false);
  const expired = props.silences.filter(s => s.state === 'expired').length;
  const shown = showExpired
    ? props.silences
    : props.silences.filter(s => s.state !== 'expired');
  const columns: TableColumn<SilenceView>[] = [
    { title: 'State', field: 'state' },
    { title: 'Reason', field: 'reason' },
    {
      title: 'Matches',
      render: s =>
        s.matchers
          .filter(m => m.name !== 'cc_entity')
          .map(m => `${m.name}${m.isEqual ? '=' : '!='}"${m.value}"`)
          .join(', ') || 'every alert of the service',
    },
    { title: 'By', field: 'createdBy' },
    { title: 'Until', render: s => new Date(s.endsAt).toLocaleString() },
    {
      title: '',
      render: s =>
        s.state === 'expired' ? null : (
          <Button
            size="small"
            disabled={props.busy === s.id}
            onClick={() => props.onExpire(s)}
            aria-label={`Expire silence ${s.reason}`}
          >
            Expire
          </Button>
        ),
    },
  ];
  return (
    <Table
      title={
        <>
          Silences{' '}
          {expired > 0 && (
            <Button size="small" onClick={() => setShowExpired(v => !v)}>
              {showExpired ? 'Hide expired' : `Show ${expired} expired`}
            </Button>
          )}
        </>
      }
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={shown}
      emptyContent={
        <div style={{ padding: 16 }}>
          {expired > 0 ? 'No active or pending silences.' : 'No silences.'}
        </div>
      }
    />
  );
}
