import Typography from '@material-ui/core/Typography';
import type { VolumeClusterOutcome } from '@internal/plugin-container-cloud-common';

const WORDS: Record<VolumeClusterOutcome['state'], string> = {
  created: 'created',
  mounted: 'mounted',
  unmounted: 'unmounted',
  resized: 'resized',
  deleted: 'deleted',
  unchanged: 'unchanged',
  'rolled-back': 'put back as it was',
  failed: 'failed',
  'not-attempted': 'not attempted',
  'left-applied': 'changed, and could not be put back',
};

/** What a change did in each cluster, line by line (shown when not every cluster holds it). */
export function ChangeOutcomes(props: {
  message: string;
  outcomes: VolumeClusterOutcome[];
}) {
  return (
    <div role="status">
      <Typography color="error" gutterBottom>
        {props.message}
      </Typography>
      <ul>
        {props.outcomes.map((o, i) => (
          <li key={i}>
            <Typography variant="body2">
              {o.cluster}/{o.namespace}
              {o.deployment ? `/${o.deployment}` : ''}: {WORDS[o.state]}
              {o.error ? ` (${o.error.message})` : ''}
            </Typography>
          </li>
        ))}
      </ul>
    </div>
  );
}
