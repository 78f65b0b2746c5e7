import Grid from '@material-ui/core/Grid';
import { FiringAlertsCard } from '../FiringAlertsCard/FiringAlertsCard';
import { RulesCard } from '../RulesCard/RulesCard';
import { AutoscalingCard } from '../AutoscalingCard/AutoscalingCard';

/** The "Alerts" tab of a service: its firing alerts and silences, its rules, its autoscaling. */
export function EntityAlertsContent() {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <FiringAlertsCard />
      </Grid>
      <Grid item xs={12}>
        <RulesCard />
      </Grid>
      <Grid item xs={12}>
        <AutoscalingCard />
      </Grid>
    </Grid>
  );
}
