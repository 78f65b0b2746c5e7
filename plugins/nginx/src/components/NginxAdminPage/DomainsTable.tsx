import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import type { Domain } from '../../api/NginxClient';
import { membersText } from '../DomainEditor/domainForm';

/** The saved domains (drafts of the next publish) of one cluster. */
export function DomainsTable(props: {
  cluster: string;
  loading: boolean;
  error?: Error;
  domains?: Domain[];
  onEdit(domain?: Domain): void;
}) {
  const action = (
    <Button color="primary" variant="outlined" onClick={() => props.onEdit()}>
      New domain
    </Button>
  );
  let body;
  if (props.loading) body = <Progress />;
  else if (props.error) body = <ResponseErrorPanel error={props.error} />;
  else if (!props.domains?.length) {
    body = (
      <EmptyState
        missing="data"
        title={`No domains on ${props.cluster}`}
        description="Add one; it is published with the next publish."
        action={action}
      />
    );
  } else {
    const columns: TableColumn<Domain>[] = [
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
    body = (
      <Table
        options={{ paging: false, search: false, toolbar: false }}
        columns={columns}
        data={props.domains}
      />
    );
  }
  return (
    <InfoCard title={`Domains of ${props.cluster}`} action={action}>
      {body}
    </InfoCard>
  );
}
