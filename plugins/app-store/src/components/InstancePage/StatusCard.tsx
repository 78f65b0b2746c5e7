import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import type { InstanceDetail } from '@internal/plugin-container-cloud-common';
import { expiryText, PhaseStatus, SimulatedChip } from '../PhaseStatus';
import { ProgressSteps } from './ProgressSteps';

/** What the instance is, where it runs, who owns it, when it expires, and its progress. */
export function StatusCard(props: { instance: InstanceDetail }) {
  const { instance: i } = props;
  return (
    <InfoCard title="Status">
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <PhaseStatus phase={i.phase} />
        {i.simulated && <SimulatedChip />}
      </Box>
      {i.progress.length > 0 && <ProgressSteps progress={i.progress} />}
      <StructuredMetadataTable
        metadata={{
          chart: `${i.chart} ${i.version} (${i.repository})`,
          owner: i.owner,
          placement: `${i.cluster}/${i.namespace}`,
          environment: i.environment,
          ready: `${i.ready.ready}/${i.ready.total} pods`,
          expires:
            i.environment === 'production'
              ? 'never'
              : `${expiryText(i.expiresAt)}${
                  i.expiresAt ? ` (${i.expiresAt})` : ''
                }`,
          installed: `${i.createdAt} by ${i.createdBy}`,
        }}
      />
    </InfoCard>
  );
}
