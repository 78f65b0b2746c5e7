import {
  EmptyState,
  InfoCard,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import type { DomainView } from '../../api/NginxClient';
import { membersText } from '../DomainEditor/domainForm';
import { Loaded } from './Loaded';

/** The saved domains (drafts of the next publish) of one cluster. */
export function DomainsTable(props: {
  cluster: string;
  loading: boolean;
  error?: Error;
  domains?: DomainView[];
  onEdit(domain?: DomainView): void;
}) {
  const action = (
    <Button color="primary" variant="outlined" onClick={() => props.onEdit()}>
      New domain
    </Button>
  );
  const columns: TableColumn<DomainView>[] = [
    { title: 'Domain', field: 'name' },
    { title: 'Server names', render: d => d.serverNames.join(' ') },
    { title: 'Owner', render: d => d.owner ?? 'ops' },
    {
      title: 'Upstreams',
      render: d =>
        d.upstreams.map(u => (
          <div key={u.name}>
            {u.name}: {membersText(u)}
          </div>
        )),
    },
    {
      title: 'Gray release',
      render: d =>
        d.grayRelease
          ? `${d.grayRelease.canaryPercent}% to ${d.grayRelease.canary}`
          : '',
    },
    {
      title: '',
      render: d => (
        <Button
          size="small"
          aria-label={`edit ${d.name}`}
          onClick={() => props.onEdit(d)}
        >
          Edit
        </Button>
      ),
    },
  ];
  const noDomains = (
    <EmptyState
      missing="data"
      title={`No domains on ${props.cluster}`}
      description="Add one; it is published with the next publish."
      action={action}
    />
  );
  return (
    <InfoCard title={`Domains of ${props.cluster}`} action={action}>
      <Loaded status={props} items={props.domains} empty={noDomains}>
        {domains => (
          <Table
            options={{ paging: false, search: false, toolbar: false }}
            columns={columns}
            data={domains}
          />
        )}
      </Loaded>
    </InfoCard>
  );
}
