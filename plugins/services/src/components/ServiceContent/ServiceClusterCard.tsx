import { memo } from 'react';
import { ClusterCard } from '../ClusterCard';
import type { ContainersView, LoadContainers } from '../ContainersTable';
import { OpenDialog, podDialog } from '../ServiceDialogs';

/**
 * One cluster's card on the Service tab, with its actions opening the tab's dialogs. Rendered again
 * only when its view changes: a live-update signal renders the tab twice before the new view
 * arrives (the signal, the read starting), and a 304 keeps the same view object.
 */
export const ServiceClusterCard = memo(function ServiceClusterCardView(props: {
  view: ContainersView;
  /** a page of a cluster's containers (stable across renders) */
  loadPods(
    cluster: string,
    ...page: Parameters<LoadContainers>
  ): ReturnType<LoadContainers>;
  /** opens a dialog of the tab (a state setter: stable) */
  setDialog(dialog: OpenDialog): void;
}) {
  const { view, loadPods, setDialog } = props;
  return (
    <ClusterCard
      view={view}
      loadPods={(offset, limit) => loadPods(view.cluster, offset, limit)}
      onAction={(deployment, action) =>
        setDialog({
          kind: 'deployment-action',
          cluster: view,
          deployment,
          action,
        })
      }
      onPodAction={(pod, kind) => setDialog(podDialog(view.cluster, pod, kind))}
      onDeploymentEvents={deployment =>
        setDialog({
          kind: 'events',
          query: {
            cluster: view.cluster,
            namespace: deployment.namespace,
            deployment: deployment.name,
          },
        })
      }
    />
  );
});
