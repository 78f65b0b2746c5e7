import type { DeploymentView } from '@internal/plugin-container-cloud-common';
import type { DeploymentAction } from '../DeploymentActions';
import { RowAction, RowActions } from '../RowActions';

export type DeploymentRowActionKind = DeploymentAction['kind'] | 'events';

/** A Deployment's actions, in the order the page shows them. */
export function deploymentActions(
  deployment: DeploymentView,
): RowAction<DeploymentRowActionKind>[] {
  const action = (
    kind: DeploymentRowActionKind,
    label: string,
    placement: 'button' | 'menu',
    name?: string,
  ) => ({ kind, label, name, placement, disabled: false });
  return [
    action('scale', 'scale', 'button'),
    action('restart', 'restart', 'button'),
    action('upgrade', 'upgrade', 'button'),
    action('rollback', 'roll back', 'menu'),
    action('config', 'edit config', 'menu'),
    action('sync', 'sync from…', 'menu'),
    action('events', 'events', 'menu', `events of ${deployment.name}`),
  ];
}

/**
 * The actions of one Deployment in the Deployments table: scale, restart and upgrade as buttons,
 * the rest in a menu, so the table fits a 1280 px window.
 */
export function DeploymentRowActions(props: {
  deployment: DeploymentView;
  onAction(kind: DeploymentRowActionKind): void;
}) {
  return (
    <RowActions
      actions={deploymentActions(props.deployment)}
      menuLabel={`More actions for ${props.deployment.name}`}
      onAction={props.onAction}
    />
  );
}
