import type { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import type {
  ClusterServiceView,
  DeploymentView,
  PodView,
} from '@internal/plugin-container-cloud-common';
import type { EventsQuery } from '../../api/ServicesClient';
import type { ServiceOperation } from '../../hooks';
import {
  ActionDialog,
  DeploymentAction,
  SyncSource,
} from '../DeploymentActions';
import type { PodActionKind } from '../PodActions';
import { LogViewer } from '../LogViewer';
import { EventsDialog } from '../EventsDialog';
import { MetricsDialog } from '../MetricsDialog';
import { ShellDialog, ShellPod } from '../ShellDialog';
import { DebugDialog } from '../DebugDialog';
import { PodConfirmDialog } from '../PodConfirmDialog';

/** The one dialog the Service tab has open, if any. */
export type OpenDialog =
  | {
      kind: 'deployment-action';
      cluster: ClusterServiceView;
      deployment: DeploymentView;
      action: DeploymentAction['kind'];
    }
  | {
      kind: 'pod-confirm';
      cluster: string;
      pod: PodView;
      action: 'destroy' | 'remove-from-lb';
    }
  | { kind: 'logs'; cluster: string; pod: PodView }
  | {
      kind: 'metrics';
      cluster: string;
      pod: PodView;
      /** the container a link named (an alert's) */
      container?: string;
    }
  | { kind: 'events'; query: EventsQuery }
  | { kind: 'shell'; pod: ShellPod }
  | { kind: 'debug'; pod: ShellPod };

/** Which dialog each of a container's actions opens. */
const podDialogs: {
  [K in PodActionKind]: (cluster: string, pod: PodView) => OpenDialog;
} = {
  logs: (cluster, pod) => ({ kind: 'logs', cluster, pod }),
  metrics: (cluster, pod) => ({ kind: 'metrics', cluster, pod }),
  events: (cluster, pod) => ({
    kind: 'events',
    query: { cluster, namespace: pod.namespace, pod: pod.name },
  }),
  // a shell runs only in a running container; a debug container may target any
  shell: (cluster, pod) => ({
    kind: 'shell',
    pod: {
      cluster,
      namespace: pod.namespace,
      pod: pod.name,
      containers: pod.containers
        .filter(c => c.state === 'running')
        .map(c => c.name),
    },
  }),
  debug: (cluster, pod) => ({
    kind: 'debug',
    pod: {
      cluster,
      namespace: pod.namespace,
      pod: pod.name,
      containers: pod.containers.map(c => c.name),
    },
  }),
  destroy: (cluster, pod) => ({
    kind: 'pod-confirm',
    cluster,
    pod,
    action: 'destroy',
  }),
  'remove-from-lb': (cluster, pod) => ({
    kind: 'pod-confirm',
    cluster,
    pod,
    action: 'remove-from-lb',
  }),
};

/** The dialog a container's action opens. */
export function podDialog(
  cluster: string,
  pod: PodView,
  kind: PodActionKind,
): OpenDialog {
  return podDialogs[kind](cluster, pod);
}

/**
 * The clusters other than `cluster` that run the same Deployment, with the version loaded there:
 * sources for a sync.
 */
function otherClustersWith(
  clusters: ClusterServiceView[],
  cluster: string,
  deployment: DeploymentView,
): SyncSource[] {
  return clusters.flatMap(c => {
    const same =
      c.cluster !== cluster &&
      c.deployments.find(
        d => d.name === deployment.name && d.namespace === deployment.namespace,
      );
    return same
      ? [
          {
            cluster: c.cluster,
            resourceVersion: same.resourceVersion,
            generation: same.generation,
          },
        ]
      : [];
  });
}

/** Renders the open dialog; operations go through `onPerform`, which says when the dialog is done. */
export function ServiceDialogs(props: {
  entity: Entity;
  entityRef: CompoundEntityRef;
  dialog?: OpenDialog;
  clusters: ClusterServiceView[];
  /** the last watch event: open views of events read again on each */
  lastSignal: unknown;
  busy: boolean;
  onPerform(operation: ServiceOperation): Promise<boolean>;
  onClose(): void;
}) {
  const { entity, entityRef, dialog, clusters, busy, onPerform, onClose } =
    props;
  if (!dialog) return null;
  const performThenClose = async (operation: ServiceOperation) => {
    if (await onPerform(operation)) onClose();
  };
  switch (dialog.kind) {
    case 'logs':
      return (
        <LogViewer
          entityRef={entityRef}
          cluster={dialog.cluster}
          pod={dialog.pod}
          onClose={onClose}
        />
      );
    case 'metrics':
      return (
        <MetricsDialog
          entityRef={entityRef}
          cluster={dialog.cluster}
          pod={dialog.pod}
          container={dialog.container}
          onClose={onClose}
        />
      );
    case 'events':
      return (
        <EventsDialog
          entityRef={entityRef}
          query={dialog.query}
          live={props.lastSignal}
          onClose={onClose}
        />
      );
    case 'shell':
      return (
        <ShellDialog entity={entityRef} pod={dialog.pod} onClose={onClose} />
      );
    case 'debug':
      return (
        <DebugDialog entity={entityRef} pod={dialog.pod} onClose={onClose} />
      );
    case 'pod-confirm':
      return (
        <PodConfirmDialog
          pod={dialog.pod.name}
          action={dialog.action}
          busy={busy}
          onCancel={onClose}
          onConfirm={() =>
            performThenClose({
              scope: 'pod',
              cluster: dialog.cluster,
              pod: dialog.pod,
              action: dialog.action,
            })
          }
        />
      );
    default:
      return (
        <ActionDialog
          entity={entity}
          kind={dialog.action}
          cluster={dialog.cluster.cluster}
          deployment={dialog.deployment}
          revisions={dialog.cluster.revisions}
          otherClusters={otherClustersWith(
            clusters,
            dialog.cluster.cluster,
            dialog.deployment,
          )}
          busy={busy}
          onClose={onClose}
          onSubmit={action =>
            performThenClose({
              scope: 'deployment',
              cluster: dialog.cluster.cluster,
              deployment: dialog.deployment,
              action,
            })
          }
        />
      );
  }
}
