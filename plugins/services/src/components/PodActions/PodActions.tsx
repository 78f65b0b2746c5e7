import type { PodView } from '@internal/plugin-container-cloud-common';
import { RowAction, RowActions } from '../RowActions';

export type PodActionKind =
  | 'destroy'
  | 'remove-from-lb'
  | 'logs'
  | 'events'
  | 'metrics'
  | 'shell'
  | 'debug';

/** A container's actions, in the order the page shows them, and when each is not possible. */
export function podActions(pod: PodView): RowAction<PodActionKind>[] {
  const running = pod.containers.some(c => c.state === 'running');
  return [
    {
      kind: 'logs',
      label: 'logs',
      name: `logs of ${pod.name}`,
      placement: 'button',
      disabled: false,
    },
    {
      kind: 'shell',
      label: 'shell',
      name: `shell in ${pod.name}`,
      placement: 'button',
      disabled: pod.terminating || !running,
    },
    {
      kind: 'events',
      label: 'events',
      name: `events of ${pod.name}`,
      placement: 'menu',
      disabled: false,
    },
    {
      kind: 'metrics',
      label: 'metrics',
      name: `metrics of ${pod.name}`,
      placement: 'menu',
      disabled: false,
    },
    {
      kind: 'debug',
      label: 'debug',
      name: `debug ${pod.name}`,
      placement: 'menu',
      disabled: pod.terminating || pod.phase !== 'Running',
    },
    {
      kind: 'remove-from-lb',
      label: 'remove from LB',
      placement: 'menu',
      disabled: pod.removedFromLoadBalancing || pod.terminating,
    },
    {
      kind: 'destroy',
      label: 'destroy',
      placement: 'menu',
      disabled: pod.terminating,
    },
  ];
}

/**
 * The actions of one container in the containers table: logs and shell as buttons, the rest in a
 * menu, so the row stays narrow enough for the table to fit a 1280 px window.
 */
export function PodActions(props: {
  pod: PodView;
  onAction(kind: PodActionKind): void;
}) {
  return (
    <RowActions
      actions={podActions(props.pod)}
      menuLabel={`More actions for ${props.pod.name}`}
      onAction={props.onAction}
    />
  );
}
