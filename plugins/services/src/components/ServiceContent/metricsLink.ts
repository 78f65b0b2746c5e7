import type {
  ClusterServiceView,
  PodView,
} from '@internal/plugin-container-cloud-common';

/**
 * A container named by the Service tab's query, `?metrics=<cluster>/<namespace>/<pod>[/<container>]`
 * (the form the Alerts tab links with): its metrics dialog opens when the page shows it.
 */
export interface MetricsLink {
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
}

/** The link in a location's query (`location.search`), undefined when there is none or it is malformed. */
export function parseMetricsLink(search: string): MetricsLink | undefined {
  const value = new URLSearchParams(search).get('metrics');
  if (!value) return undefined;
  const parts = value.split('/');
  if (parts.length < 3 || parts.length > 4 || parts.some(p => p === '')) {
    return undefined;
  }
  const [cluster, namespace, pod, container] = parts;
  return { cluster, namespace, pod, container };
}

/** The query without the link (so a reload does not open the dialog again). */
export function withoutMetricsLink(search: string): string {
  const params = new URLSearchParams(search);
  params.delete('metrics');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/** The pod the link names among those the page shows (and its container, when named), if any. */
export function linkedPod(
  link: MetricsLink,
  clusters: ClusterServiceView[],
): PodView | undefined {
  const view = clusters.find(c => c.cluster === link.cluster);
  const pod = view?.pods.find(
    p => p.namespace === link.namespace && p.name === link.pod,
  );
  if (!pod) return undefined;
  if (link.container && !pod.containers.some(c => c.name === link.container)) {
    return undefined;
  }
  return pod;
}

/** What the page says when the link names a container it does not show. */
export function missingLinkMessage(link: MetricsLink): string {
  const what = link.container
    ? `container ${link.container} of pod ${link.pod}`
    : `pod ${link.pod}`;
  return `The metrics link names ${what} (${link.namespace}, ${link.cluster}), which this page does not show: it may have ended (see the history below) or be on another page of the containers.`;
}
