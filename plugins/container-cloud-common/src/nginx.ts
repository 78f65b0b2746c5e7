/**
 * The nginx API: what the nginx backend returns and accepts. Shared by the backend (whose zod
 * schemas are checked against these types at compile time), its frontend and anyone automating
 * against it.
 */

/** A static upstream member, e.g. a VM. @public */
export interface UpstreamMember {
  /** an IPv4 address or a lowercase RFC 1123 hostname */
  address: string;
  port: number;
  /** 1..100 */
  weight?: number;
  /** 0..100 */
  maxFails?: number;
  /** 1..3600 */
  failTimeoutSeconds?: number;
  backup?: boolean;
}

/**
 * A Kubernetes Service whose ready endpoints are upstream members, followed as pods come and go.
 * @public
 */
export interface KubernetesSource {
  /** a Kubernetes cluster the nginx backend is configured with */
  cluster: string;
  namespace: string;
  service: string;
  /** the endpoint (container) port: its number, or its name in the Service */
  port: number | string;
  weight?: number;
  maxFails?: number;
  failTimeoutSeconds?: number;
}

/** @public */
export interface Upstream {
  name: string;
  /** static members, e.g. VM addresses */
  members: UpstreamMember[];
  /** Kubernetes Services whose ready endpoints are members too */
  kubernetes?: KubernetesSource[];
}

/** Splits the requests of the locations pointing at `stable` between it and `canary`. @public */
export interface GrayRelease {
  stable: string;
  canary: string;
  /** share of requests sent to the canary, 0..100 */
  canaryPercent: number;
  /** requests with this header value always go to the canary */
  header?: { name: string; value: string };
  /** requests with this cookie value always go to the canary */
  cookie?: { name: string; value: string };
}

/** One domain of an nginx cluster, as its owners and ops describe it and the backend validates it. @public */
export interface Domain {
  name: string;
  cluster: string;
  /** the catalog Component the domain belongs to (`component:<namespace>/<name>`); its owners may edit the upstream members */
  owner?: string;
  serverNames: string[];
  listen: Array<{ address?: string; port: number }>;
  upstreams: Upstream[];
  locations: Array<{ path: string; upstream: string }>;
  grayRelease?: GrayRelease;
}

/** A saved (or read) domain with the conf.d text it renders to now. @public */
export interface RenderedDomain {
  domain: Domain;
  text: string;
}

/** The members of some upstreams of a domain: what a service's owners may change. @public */
export interface UpstreamMembersChange {
  upstreams: Upstream[];
}

/** What a version recorded about its delivery to one node. @public */
export interface NodeResult {
  node: string;
  ok: boolean;
  message: string;
  /** how many tries it took, when more than one */
  attempts?: number;
}

/** A version of a cluster's configuration, without its files and domains. @public */
export interface VersionSummary {
  id: number;
  cluster: string;
  createdBy: string;
  createdAt: string;
  message: string;
  /** the version this one restored */
  rollbackOf?: number;
  delivery?: NodeResult[];
}

/** @public */
export interface Version extends VersionSummary {
  /** conf.d file name → full text, byte for byte as delivered */
  files: Record<string, string>;
  domains: Domain[];
}

/** What a publish or rollback recorded and how its delivery went. @public */
export interface PublishResult {
  version: number;
  /** true when every node took the version */
  ok: boolean;
  delivery: NodeResult[];
}

/** The answer to a change of upstream members: the domain, and the publish when it was live. @public */
export interface UpstreamMembersResult {
  domain: Domain;
  publish?: PublishResult;
}

/** One nginx node of a cluster. @public */
export interface NginxNodeSummary {
  name: string;
  confDir: string;
  /** the node's result in the cluster's newest version; a failed node still runs an older one */
  lastDelivery: NodeResult | null;
}

/** @public */
export interface NginxClusterSummary {
  name: string;
  environment: string;
  /** the newest version, null before the first publish */
  currentVersion: number | null;
  nodes: NginxNodeSummary[];
}
