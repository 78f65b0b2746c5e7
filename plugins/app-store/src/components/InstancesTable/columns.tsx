import { Link, TableColumn } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import type { InstanceSummary } from '@internal/plugin-container-cloud-common';
import { expiryText, PhaseStatus, SimulatedChip } from '../PhaseStatus';

/** The columns every instance list shows; the name links to the instance's page. */
export function instanceColumns<T extends InstanceSummary = InstanceSummary>(
  linkTo: (instance: T) => string,
): TableColumn<T>[] {
  return [
    {
      title: 'Name',
      render: i => <Link to={linkTo(i)}>{i.name}</Link>,
    },
    { title: 'Chart', field: 'chart' },
    { title: 'Version', field: 'version' },
    { title: 'Owner', field: 'owner' },
    { title: 'Placement', render: i => `${i.cluster}/${i.namespace}` },
    {
      title: 'Phase',
      render: i => (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <PhaseStatus phase={i.phase} />
          {i.simulated && <SimulatedChip />}
        </Box>
      ),
    },
    { title: 'Ready', render: i => `${i.ready.ready}/${i.ready.total}` },
    {
      title: 'Expires',
      render: i =>
        i.environment === 'production' ? 'never' : expiryText(i.expiresAt),
    },
  ];
}
