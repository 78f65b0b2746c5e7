import { InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';

/** Placeholder until its part is built. */
export function AutoscalingCard() {
  return (
    <InfoCard title="AutoscalingCard">
      <Typography>Not built yet.</Typography>
    </InfoCard>
  );
}
