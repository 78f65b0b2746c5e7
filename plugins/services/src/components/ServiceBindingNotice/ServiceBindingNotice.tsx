import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import Typography from '@material-ui/core/Typography';
import type { ServiceBindingStatus } from '@internal/plugin-container-cloud-common';

const TITLES: Record<
  Exclude<ServiceBindingStatus['state'], 'bound'>,
  string
> = {
  untrusted:
    'This entity controls no workloads: it comes from an untrusted location',
  conflict:
    'This entity controls no workloads: another entity claims its kubernetes id',
  unplaced:
    'This entity controls no workloads: it has no cluster and namespace it may use',
};

/**
 * Which workloads the service controls, as the backend bound them: nothing to say when bound to
 * every namespace, the placements when it has some, and in words why it controls nothing
 * (untrusted origin, a second claimant of its id, no placements).
 */
export function ServiceBindingNotice(props: {
  binding?: ServiceBindingStatus;
}) {
  const { binding } = props;
  if (!binding) return null;
  if (binding.state === 'bound') {
    const where = (
      <Typography variant="body2" color="textSecondary">
        Workloads labelled backstage.io/kubernetes-id={binding.kubernetesId} in{' '}
        {(binding.placements ?? [])
          .map(
            p =>
              `${p.cluster === '*' ? 'every cluster' : p.cluster}/${
                p.namespace
              }`,
          )
          .join(', ')}
      </Typography>
    );
    // placements its annotation named outside its owner's grant (containerCloud.binding.teamPlacements)
    if (!binding.message) return where;
    return (
      <Alert severity="info">
        <AlertTitle>Some of its placements do not count</AlertTitle>
        {binding.message}
        {where}
      </Alert>
    );
  }
  return (
    <Alert severity={binding.state === 'conflict' ? 'error' : 'warning'}>
      <AlertTitle>{TITLES[binding.state]}</AlertTitle>
      {binding.message}
      {binding.conflictsWith && binding.conflictsWith.length > 0 && (
        <ul aria-label="Other claimants">
          {binding.conflictsWith.map(ref => (
            <li key={ref}>{ref}</li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
