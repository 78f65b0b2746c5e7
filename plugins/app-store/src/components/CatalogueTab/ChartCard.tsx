import Avatar from '@material-ui/core/Avatar';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import type { ChartView } from '@internal/plugin-container-cloud-common';

/** One chart of the catalogue: icon, name, description, versions, repository, and Install. */
export function ChartCard(props: { chart: ChartView; onInstall: () => void }) {
  const { chart, onInstall } = props;
  const latest = chart.versions[0];
  return (
    <Card
      component="article"
      aria-label={chart.name}
      style={{ height: '100%', display: 'flex', flexDirection: 'column' }}
    >
      <CardHeader
        avatar={
          <Avatar src={chart.icon} alt="">
            {chart.name.charAt(0).toLocaleUpperCase('en-US')}
          </Avatar>
        }
        title={<Typography variant="h6">{chart.name}</Typography>}
        subheader={`from ${chart.repository}`}
      />
      <CardContent style={{ flexGrow: 1 }}>
        <Typography variant="body2" paragraph>
          {chart.description || 'No description'}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {latest
            ? `Latest ${latest.version}${
                latest.appVersion ? ` (app ${latest.appVersion})` : ''
              } · ${chart.versions.length} version${
                chart.versions.length === 1 ? '' : 's'
              }`
            : 'No versions'}
        </Typography>
        <Box mt={1} display="flex" flexWrap="wrap" style={{ gap: 4 }}>
          {chart.keywords.map(k => (
            <Chip key={k} size="small" label={k} />
          ))}
        </Box>
      </CardContent>
      <CardActions>
        <Button
          color="primary"
          variant="contained"
          disabled={!latest}
          onClick={onInstall}
          aria-label={`Install ${chart.name}`}
        >
          Install
        </Button>
      </CardActions>
    </Card>
  );
}
