import {
  AppsV1Api,
  type Configuration,
  type ConfigurationOptions,
  CoreV1Api,
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type PromiseHttpLibrary,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
  VersionApi,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import type { ClusterHealth } from '@internal/plugin-container-cloud-common';
import type { ClusterDetails } from './readClusterConfig';
import { redactUrlsIn } from '../redact';
import {
  ClusterTimeoutError,
  DEFAULT_KUBERNETES_TIMEOUTS,
  KubernetesTimeouts,
} from './timeouts';

// the package's index exports this file's names: the timeouts are part of a cluster's details
export {
  ClusterTimeoutError,
  DEFAULT_KUBERNETES_TIMEOUTS,
  readKubernetesTimeouts,
  timeoutSetting,
  type KubernetesTimeouts,
} from './timeouts';

/**
 * The generated clients' HTTP library with a deadline on every call: a call without its own
 * signal is aborted after `requestMs`, and that abort becomes a `ClusterTimeoutError` (503, naming
 * the cluster). Watches and log streams do not come through here (they are long-lived by design).
 */
class DeadlineHttpLibrary implements PromiseHttpLibrary {
  private readonly fetchLibrary = new IsomorphicFetchHttpLibrary();

  constructor(
    private readonly cluster: string,
    private readonly requestMs: number,
  ) {}

  async send(request: RequestContext): Promise<ResponseContext> {
    // a call given a deadline of its own (the health probe's) keeps it
    const own = request.getSignal() !== undefined;
    if (!own) request.setSignal(AbortSignal.timeout(this.requestMs));
    try {
      return await this.fetchLibrary.send(request).toPromise();
    } catch (error) {
      if (!own && isTimeout(error)) {
        throw new ClusterTimeoutError(
          this.cluster,
          'the apiserver',
          this.requestMs,
          'requestMs',
        );
      }
      throw error;
    }
  }
}

/** Typed API clients for one cluster, and its health probe. @public */
export class ClusterConnection {
  readonly kubeConfig: KubeConfig;
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  /** how long calls, exec sockets and the probe wait for this cluster */
  readonly timeouts: KubernetesTimeouts;
  private readonly version: VersionApi;

  constructor(readonly details: ClusterDetails) {
    this.timeouts = details.timeouts ?? DEFAULT_KUBERNETES_TIMEOUTS;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: details.name,
          server: details.url,
          caData: details.caData,
          caFile: details.caFile,
          skipTLSVerify: details.skipTLSVerify,
        },
      ],
      users: [{ name: 'container-cloud', token: details.serviceAccountToken }],
      contexts: [
        { name: details.name, cluster: details.name, user: 'container-cloud' },
      ],
      currentContext: details.name,
    });
    this.kubeConfig = kc;
    // as KubeConfig.makeApiClient builds them, with the deadline in their HTTP library
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(details.url, {}),
      authMethods: { default: kc },
      httpApi: wrapHttpLibrary(
        new DeadlineHttpLibrary(details.name, this.timeouts.requestMs),
      ),
    });
    const client = <T>(Api: new (config: Configuration) => T) =>
      new Api(configuration);
    this.apps = client(AppsV1Api);
    this.core = client(CoreV1Api);
    this.version = client(VersionApi);
  }

  get name() {
    return this.details.name;
  }

  /** Asks the apiserver for its version (latency) and its nodes (readiness). Never throws. */
  async probe(
    onFailure?: (detail: string) => void,
    timeoutMs = this.timeouts.probeMs,
  ): Promise<ClusterHealth> {
    const checkedAt = new Date().toISOString();
    const started = performance.now();
    try {
      // an apiserver that never answers must not hold the probe (and every later one) forever
      const deadline = withTimeout(timeoutMs);
      await this.version.getCode({}, deadline);
      const latencyMs = Math.round(performance.now() - started);
      const nodes = await this.core.listNode({}, deadline);
      const nodesReady = nodes.items.filter(n =>
        n.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        ),
      ).length;
      return {
        reachable: true,
        latencyMs,
        nodesReady,
        nodesTotal: nodes.items.length,
        checkedAt,
      };
    } catch (error) {
      // health goes to every reader of a service's page: the kind of failure only, the
      // apiserver's own words to the backend log
      onFailure?.(describeKubeError(error));
      return {
        reachable: false,
        error: describeKubeErrorBriefly(error),
        checkedAt,
      };
    }
  }
}

/**
 * Per-call options of the generated clients (their object-parameter form takes the observable
 * middleware) that abort the request after `ms`: one deadline for every call they are given to.
 */
function withTimeout(ms: number): ConfigurationOptions {
  const signal = AbortSignal.timeout(ms);
  const deadline: ObservableMiddleware = {
    pre: context => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: context => new Observable(Promise.resolve(context)),
  };
  return { middleware: [deadline], middlewareMergeStrategy: 'append' };
}

/** Whether an error is a request given up on (a timeout, or an abort). */
function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** A Kubernetes client error in one line a person can act on. @public */
export function describeKubeError(error: unknown): string {
  if (error instanceof ClusterTimeoutError) return error.reason;
  const e = error as {
    code?: number | string;
    body?: unknown;
    message?: string;
    cause?: { code?: string };
  };
  if (typeof e?.code === 'number') {
    let message: string | undefined;
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      message = (body as { message?: string })?.message;
    } catch {
      // not JSON: fall back to the status code
    }
    return `the apiserver answered ${e.code}${message ? `: ${message}` : ''}`;
  }
  // a client message may quote the URL it called, with what the URL carries
  return connectionFailure(error) ?? redactUrlsIn(e?.message ?? String(error));
}

/** A refused or timed-out connection to an apiserver, in words; undefined for anything else. */
function connectionFailure(error: unknown): string | undefined {
  const e = error as { code?: number | string; cause?: { code?: string } };
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ECONNREFUSED') return 'the apiserver refused the connection';
  if (
    error instanceof ClusterTimeoutError ||
    isTimeout(error) ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return 'the apiserver did not answer in time';
  }
  return undefined;
}

/**
 * A Kubernetes client error for anyone who may read a service's page (cluster health): the kind
 * of failure, never the apiserver's own text (it names service accounts, users and addresses) nor
 * a client message (it may quote URLs). `describeKubeError` has the detail, for the backend log.
 * @public
 */
export function describeKubeErrorBriefly(error: unknown): string {
  const e = error as { code?: number | string };
  if (typeof e?.code === 'number') return `the apiserver answered ${e.code}`;
  return (
    connectionFailure(error) ??
    'the apiserver could not be reached (the backend log says why)'
  );
}
