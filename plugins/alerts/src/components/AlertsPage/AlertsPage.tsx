import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { AlertsTable } from '../AlertsTable/AlertsTable';
import { AllRulesTable } from '../AllRulesTable/AllRulesTable';
import { ReceiversCard } from '../ReceiversCard/ReceiversCard';

/** Ops' page at /alerts: every firing alert, every rule, and the receivers. */
export function AlertsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Alerts"
        subtitle="Every alert and rule of every service, and where alerts are sent"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <AlertsTable />
          </Grid>
          <Grid item xs={12}>
            <AllRulesTable />
          </Grid>
          <Grid item xs={12}>
            <ReceiversCard />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
