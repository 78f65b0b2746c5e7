import type { AppStoreDeps } from '../deps';
import { Catalogue, readRepositories } from '../catalogue/Catalogue';
import { CliHelmRunner } from '../helm/CliHelmRunner';
import type { HelmRunner } from '../helm/HelmRunner';
import { InstanceStore } from './InstanceStore';
import { Authority } from './authority';
import { InstanceService } from './InstanceService';

/**
 * The parts the app store's route groups share: one Helm runner, one catalogue, one instances
 * table, one authority and one instance service per plugin (the lifecycle group builds on the
 * same ones: `appStoreCore(deps)` returns them for the same `deps`).
 * @public
 */
export interface AppStoreCore {
  helm: HelmRunner;
  catalogue: Catalogue;
  store: InstanceStore;
  authority: Authority;
  instances: InstanceService;
}

const cores = new WeakMap<object, AppStoreCore>();

/** Reads `containerCloud.appStore.helm` (default `helm`) and builds the CLI runner on the cluster layer's credentials. @public */
export function helmRunnerFor(deps: AppStoreDeps): CliHelmRunner {
  return new CliHelmRunner({
    helm:
      deps.config.getOptionalString('containerCloud.appStore.helm') ?? 'helm',
    timeoutMs:
      (deps.config.getOptionalNumber(
        'containerCloud.appStore.helmTimeoutSeconds',
      ) ?? 120) * 1000,
    cluster: name => deps.clusters.connection(name).details,
  });
}

/** The shared parts for these deps (built once per plugin instance). @public */
export function appStoreCore(
  deps: AppStoreDeps,
  overrides: { helm?: HelmRunner; now?: () => Date } = {},
): AppStoreCore {
  let core = cores.get(deps);
  if (!core) {
    let helm = overrides.helm;
    if (!helm) {
      const runner = helmRunnerFor(deps);
      deps.lifecycle.addShutdownHook(() => runner.dispose());
      helm = runner;
    }
    const catalogue = new Catalogue({
      repositories: readRepositories(deps.config),
      helm,
    });
    const now = overrides.now ?? deps.now;
    const store = new InstanceStore(deps.knex, now);
    const authority = new Authority(deps);
    const instances = new InstanceService({
      deps,
      helm,
      catalogue,
      store,
      authority,
      now,
    });
    core = { helm, catalogue, store, authority, instances };
    cores.set(deps, core);
  }
  return core;
}
