import { randomBytes } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type {
  AlertMetric,
  AlertRule,
  AlertRuleDefinition,
  AlertRuleDelivery,
  AlertRuleDiff,
  AlertRuleSet,
  AlertRuleMetric,
} from '@internal/plugin-container-cloud-common';
import { ALERT_RULE_METRICS } from '@internal/plugin-container-cloud-common';
import type {
  ContainerCloudClustersService,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { stringify } from 'yaml';
import { lineDiff } from './lineDiff';
import { METRIC_CATALOGUE } from './metricCatalogue';
import { PromqlError } from './promql';
import { promtoolCheckRules, promtoolProblemPosition } from './promtool';
import {
  groupName,
  renderRuleFile,
  RuleSetToRender,
  ruleFileName,
} from './render';
import {
  loadedVersions,
  reloadPrometheus,
  seriesNames,
  writeRuleFile,
} from './Delivery';
import type { PrometheusTarget, RulesConfig } from './rulesConfig';
import { applyPrometheusRules } from './prometheusRules';
import { RuleStore, StaleVersionError, StoredRuleSet } from './RuleStore';

/** The service a request is about: its entity, owner and binding. */
export interface RuleOwner {
  entityRef: string;
  /** the entity's owner (spec.owner), for the admin list's team filter */
  owner: string;
  binding: ServiceBinding;
}

/** Where a service's rules look: its workloads, by its binding. */
interface Targets {
  targets: RuleSetToRender['targets'];
  pods: Map<string, Set<string>>;
  containers: Set<string>;
  problem?: string;
}

/** What a change may do beyond the edit permission. */
export interface ChangeRights {
  /** the caller holds alertRulesAdvancedPermission (PromQL, Nginx metrics) */
  advanced: boolean;
}

/** The delivery rows of PrometheusRule resources: `PrometheusRule <cluster>/<namespace>`. */
const OPERATOR_PREFIX = 'PrometheusRule ';

const newRuleId = () => `r-${randomBytes(4).toString('hex')}`;

/** The field of a rule a promtool complaint is about. */
function promtoolField(
  problem: string,
  aboutExpression: boolean,
  rule: AlertRule | undefined,
): string {
  if (aboutExpression) return rule?.metric === 'promql' ? 'expr' : 'metric';
  if (/label/.test(problem)) return 'labels';
  if (/annotation|template/.test(problem)) return 'summary';
  return 'metric';
}

/** A 400 naming the field of the rule it is about: "rule.<field>: <problem>". */
function fieldError(field: string, message: string): InputError {
  return new InputError(`invalid rule: rule.${field}: ${message}`);
}

/**
 * A service's alert rules: checks, versions, rendering, promtool, delivery to every Prometheus
 * and the read-back of what each one loaded. No HTTP here, no SQL (RuleStore).
 */
export class RuleService {
  private availabilityCache?: {
    at: number;
    value: Map<string, Set<string> | Error>;
  };

  constructor(
    private readonly store: RuleStore,
    private readonly clusters: ContainerCloudClustersService,
    private readonly config: RulesConfig,
    private readonly logger: LoggerService,
  ) {}

  /** The service's workloads per (cluster, namespace) its binding covers, from the watch caches. */
  async targetsOf(binding: ServiceBinding): Promise<Targets> {
    const empty: Targets = {
      targets: [],
      pods: new Map(),
      containers: new Set(),
    };
    if (binding.status.state !== 'bound') {
      return { ...empty, problem: binding.status.message };
    }
    await this.clusters.start();
    const byPair = new Map<string, RuleSetToRender['targets'][number]>();
    const pods = new Map<string, Set<string>>();
    const containers = new Set<string>();
    const views = this.clusters.serviceView(
      binding.kubernetesId,
      binding.visiblePlacements(),
    );
    for (const view of views) {
      for (const deployment of view.deployments) {
        // the object touched: the binding must cover its cluster and namespace
        if (!binding.covers(view.cluster, deployment.namespace)) continue;
        binding.idIn(view.cluster, deployment.namespace);
        const key = `${view.cluster}/${deployment.namespace}`;
        const target = byPair.get(key) ?? {
          cluster: view.cluster,
          namespace: deployment.namespace,
          deployments: [],
        };
        target.deployments.push(deployment.name);
        byPair.set(key, target);
        for (const c of deployment.config.containers)
          containers.add(c.container);
      }
      for (const pod of view.pods) {
        const key = `${view.cluster}/${pod.namespace}`;
        const target = byPair.get(key);
        if (!target || !pod.deployment) continue;
        if (!target.deployments.includes(pod.deployment)) continue;
        pods.set(key, (pods.get(key) ?? new Set()).add(pod.name));
      }
    }
    const targets = [...byPair.values()].sort((a, b) =>
      `${a.cluster}/${a.namespace}`.localeCompare(
        `${b.cluster}/${b.namespace}`,
      ),
    );
    return {
      targets,
      pods,
      containers,
      problem:
        targets.length === 0
          ? `${binding.entityRef} has no Deployments labelled with its kubernetes id '${binding.kubernetesId}' in any cluster: its rules watch nothing until it has`
          : undefined,
    };
  }

  async view(owner: RuleOwner, known?: Targets): Promise<AlertRuleSet> {
    const set = await this.store.get(owner.entityRef);
    const targets = known ?? (await this.targetsOf(owner.binding));
    return this.viewOf(owner, set, targets);
  }

  private async viewOf(
    owner: RuleOwner,
    set: StoredRuleSet | undefined,
    targets: Targets,
  ): Promise<AlertRuleSet> {
    const deliveries = set ? await this.store.deliveries(owner.entityRef) : [];
    const delivery: AlertRuleDelivery[] = this.config.prometheus.map(p => {
      const d = deliveries.find(x => x.prometheus === p.name);
      const version = set?.version ?? 0;
      let state: AlertRuleDelivery['state'] = 'pending';
      if (d && d.version === version) {
        state = d.state === 'failed' ? 'failed' : 'delivered';
        if (d.state === 'loaded' && d.loadedVersion === version) {
          state = 'loaded';
        }
      } else if (d?.state === 'failed') {
        state = 'failed';
      }
      return {
        prometheus: p.name,
        clusters: p.clusters,
        state,
        version,
        deliveredVersion: d ? d.version : null,
        loadedVersion: d?.loadedVersion ?? null,
        alertingRules: d?.alertingRules ?? 0,
        message: d?.message ?? (set ? 'not delivered yet' : 'no rules yet'),
        at: d?.at ?? null,
      };
    });
    if (this.config.prometheusRule && set) {
      // the PrometheusRule resources of operator-run clusters, one per (cluster, namespace)
      for (const d of deliveries.filter(x =>
        x.prometheus.startsWith(OPERATOR_PREFIX),
      )) {
        delivery.push({
          prometheus: d.prometheus,
          clusters: [d.prometheus.slice(OPERATOR_PREFIX.length).split('/')[0]],
          state:
            d.version === set.version && d.state !== 'failed'
              ? 'delivered'
              : 'failed',
          version: set.version,
          deliveredVersion: d.version,
          loadedVersion: null,
          alertingRules: d.alertingRules,
          message: d.message,
          at: d.at,
        });
      }
    }
    return {
      entityRef: owner.entityRef,
      kubernetesId: owner.binding.kubernetesId,
      version: set?.version ?? 0,
      updatedBy: set?.updatedBy ?? null,
      updatedAt: set?.updatedAt ?? null,
      rules: set?.rules ?? [],
      targets: targets.targets.map(t => ({
        cluster: t.cluster,
        namespace: t.namespace,
      })),
      containers: [...targets.containers].sort(),
      delivery,
      ...(targets.problem ? { problem: targets.problem } : {}),
    };
  }

  /** Asks every Prometheus which version it evaluates now, and answers where each stands. */
  async refreshDelivery(owner: RuleOwner): Promise<AlertRuleDelivery[]> {
    const set = await this.store.get(owner.entityRef);
    if (set) {
      await Promise.all(
        this.prometheusTargets().map(async p => {
          const versions = await loadedVersions(p).catch(() => undefined);
          if (versions) {
            await this.store.recordLoaded(
              owner.entityRef,
              p.name,
              versions.get(groupName(owner.entityRef)) ?? null,
            );
          }
        }),
      );
    }
    const empty: Targets = {
      targets: [],
      pods: new Map(),
      containers: new Set(),
    };
    return (await this.viewOf(owner, set, empty)).delivery;
  }

  /** Checks what zod cannot: the metric against the platform, the container and pod against the service. */
  private checkRule(
    rule: AlertRuleDefinition,
    targets: Targets,
    rights: ChangeRights,
  ) {
    const metric = METRIC_CATALOGUE[rule.metric];
    if (metric.unavailable) {
      throw fieldError(
        'metric',
        `${metric.title} is unavailable: ${metric.unavailable}`,
      );
    }
    if (metric.advanced && !rights.advanced) {
      throw new NotAllowedError(
        `you may not use ${metric.title}: only ops admins may (container-cloud.alerts.rules.advanced)`,
      );
    }
    if (metric.needsDomain && !rule.domain) {
      throw fieldError('domain', `${metric.title} needs the service's domain`);
    }
    if (!metric.needsDomain && rule.domain) {
      throw fieldError('domain', `${metric.title} is not about a domain`);
    }
    if (rule.container && !metric.perContainer) {
      throw fieldError(
        'container',
        `${metric.title} is measured per pod (its containers share it): leave the container out`,
      );
    }
    if (
      targets.targets.length > 0 &&
      rule.container &&
      !targets.containers.has(rule.container)
    ) {
      throw fieldError(
        'container',
        `the service has no container '${rule.container}' (it has ${
          [...targets.containers].sort().join(', ') || 'none'
        })`,
      );
    }
    if (rule.pod) {
      const known = [...targets.pods.values()].some(set => set.has(rule.pod!));
      if (!known) {
        throw fieldError(
          'pod',
          `'${rule.pod}' is not one of the service's pods`,
        );
      }
    }
  }

  /**
   * Renders the rules for every Prometheus and runs promtool on each file; the first problem is
   * a 400 naming the rule's field. Nothing is written anywhere before this passed.
   */
  private async checkFiles(
    owner: RuleOwner,
    version: number,
    rules: AlertRule[],
    targets: Targets,
  ) {
    const files = new Map<string, ReturnType<typeof renderRuleFile>>();
    const set: RuleSetToRender = {
      entityRef: owner.entityRef,
      version,
      rules,
      // with no workloads yet, a stand-in target, so promtool still sees every rule
      targets:
        targets.targets.length > 0
          ? targets.targets
          : [
              {
                cluster: 'no-workloads-yet',
                namespace: 'no-workloads-yet',
                deployments: [owner.binding.kubernetesId],
              },
            ],
      pods: targets.pods,
    };
    // every Prometheus' file; with none configured, the file of every cluster all the same
    const checks = this.prometheusTargets().map(p => ({
      name: p.name,
      clusters: p.clusters as string[] | undefined,
    }));
    if (checks.length === 0) checks.push({ name: '', clusters: undefined });
    for (const prometheus of checks) {
      let file;
      try {
        file = renderRuleFile(
          set,
          this.config.clusterLabel,
          targets.targets.length > 0 ? prometheus.clusters : undefined,
        );
      } catch (error) {
        if (error instanceof PromqlError)
          throw fieldError('expr', error.message);
        throw error;
      }
      const checked = await promtoolCheckRules(this.config.promtool, file.text);
      if (!checked.ok) {
        const { index, aboutExpression } = promtoolProblemPosition(
          checked.output,
        );
        const ruleId = index === undefined ? undefined : file.sources[index];
        const rule = rules.find(r => r.id === ruleId);
        const problem = checked.output
          .split('\n')
          .filter(line => line.includes('rules.yml') || /error/i.test(line))
          .map(line => line.replace(/^.*?rules\.yml:\s*/, ''))
          .join(' ')
          .slice(0, 600);
        const field = promtoolField(problem, aboutExpression, rule);
        throw fieldError(
          field,
          `promtool check rules refused it${
            rule ? ` (rule '${rule.name}')` : ''
          }: ${problem || checked.output.slice(0, 600)}`,
        );
      }
      files.set(prometheus.name, file);
    }
    return files;
  }

  private prometheusTargets(): PrometheusTarget[] {
    return this.config.prometheus;
  }

  /** Saves a new version (precondition: `baseVersion`), then delivers it. */
  private async commit(
    owner: RuleOwner,
    actor: string,
    baseVersion: number,
    rules: AlertRule[],
    message: string,
    targets: Targets,
    rollbackOf?: number,
  ): Promise<AlertRuleSet> {
    await this.checkFiles(owner, baseVersion + 1, rules, targets);
    let saved: StoredRuleSet;
    try {
      saved = await this.store.save({
        entityRef: owner.entityRef,
        owner: owner.owner,
        kubernetesId: owner.binding.kubernetesId,
        baseVersion,
        rules,
        clusters: [...new Set(targets.targets.map(t => t.cluster))],
        author: actor,
        message,
        rollbackOf,
      });
    } catch (error) {
      if (error instanceof StaleVersionError) {
        throw Object.assign(
          new ConflictError(
            `the rules of ${
              owner.entityRef
            } changed since they were loaded (you edited version ${baseVersion}, it is now version ${
              error.current?.version ?? 0
            }${
              error.current ? `, saved by ${error.current.updatedBy}` : ''
            }): reload them and apply your change again`,
          ),
          { current: await this.viewOf(owner, error.current, targets) },
        );
      }
      throw error;
    }
    await this.deliver(saved, targets);
    return this.viewOf(owner, saved, targets);
  }

  async create(
    owner: RuleOwner,
    actor: string,
    body: { baseVersion: number; rule: AlertRuleDefinition; message: string },
    rights: ChangeRights,
  ) {
    const targets = await this.targetsOf(owner.binding);
    this.checkRule(body.rule, targets, rights);
    const current = await this.store.get(owner.entityRef);
    const rules = [
      ...(current?.rules ?? []),
      { ...body.rule, id: newRuleId() },
    ];
    if (rules.length > 500) {
      throw new InputError('a service has at most 500 alert rules');
    }
    return this.commit(
      owner,
      actor,
      body.baseVersion,
      rules,
      body.message || `add rule '${body.rule.name}'`,
      targets,
    );
  }

  private async existing(owner: RuleOwner, ruleId: string) {
    const current = await this.store.get(owner.entityRef);
    const rule = current?.rules.find(r => r.id === ruleId);
    if (!current || !rule) {
      throw new NotFoundError(`${owner.entityRef} has no alert rule ${ruleId}`);
    }
    return { current, rule };
  }

  private static checkAdvanced(rule: AlertRule, rights: ChangeRights) {
    if (METRIC_CATALOGUE[rule.metric].advanced && !rights.advanced) {
      throw new NotAllowedError(
        `you may not change the rule '${rule.name}': it uses ${
          METRIC_CATALOGUE[rule.metric].title
        }, which only ops admins may`,
      );
    }
  }

  async update(
    owner: RuleOwner,
    actor: string,
    ruleId: string,
    body: { baseVersion: number; rule: AlertRuleDefinition; message: string },
    rights: ChangeRights,
  ) {
    const targets = await this.targetsOf(owner.binding);
    const { current, rule } = await this.existing(owner, ruleId);
    RuleService.checkAdvanced(rule, rights);
    this.checkRule(body.rule, targets, rights);
    const rules = current.rules.map(r =>
      r.id === ruleId ? { ...body.rule, id: ruleId } : r,
    );
    return this.commit(
      owner,
      actor,
      body.baseVersion,
      rules,
      body.message || `change rule '${body.rule.name}'`,
      targets,
    );
  }

  async remove(
    owner: RuleOwner,
    actor: string,
    ruleId: string,
    baseVersion: number,
    rights: ChangeRights,
  ) {
    const targets = await this.targetsOf(owner.binding);
    const { current, rule } = await this.existing(owner, ruleId);
    RuleService.checkAdvanced(rule, rights);
    return this.commit(
      owner,
      actor,
      baseVersion,
      current.rules.filter(r => r.id !== ruleId),
      `delete rule '${rule.name}'`,
      targets,
    );
  }

  async rollback(
    owner: RuleOwner,
    actor: string,
    body: { version: number; baseVersion: number; message?: string },
    rights: ChangeRights,
  ) {
    const targets = await this.targetsOf(owner.binding);
    const old = await this.store.version(owner.entityRef, body.version);
    if (!old) {
      throw new NotFoundError(
        `${owner.entityRef} has no rules version ${body.version}`,
      );
    }
    const current = await this.store.get(owner.entityRef);
    const before = new Map((current?.rules ?? []).map(r => [r.id, r]));
    const after = new Map(old.rules.map(r => [r.id, r]));
    // a rollback that adds, changes or removes an advanced rule needs the advanced right
    for (const id of new Set([...before.keys(), ...after.keys()])) {
      const a = before.get(id);
      const b = after.get(id);
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      for (const rule of [a, b])
        if (rule) RuleService.checkAdvanced(rule, rights);
    }
    return this.commit(
      owner,
      actor,
      body.baseVersion,
      old.rules,
      body.message || `roll back to version ${body.version}`,
      targets,
      body.version,
    );
  }

  async versions(owner: RuleOwner) {
    return { items: await this.store.versions(owner.entityRef) };
  }

  async version(owner: RuleOwner, version: number) {
    const found = await this.store.version(owner.entityRef, version);
    if (!found) {
      throw new NotFoundError(
        `${owner.entityRef} has no rules version ${version}`,
      );
    }
    return found;
  }

  /** The rules of two versions as YAML, line by line. */
  async diff(
    owner: RuleOwner,
    from: number,
    to: number,
  ): Promise<AlertRuleDiff> {
    const [a, b] = await Promise.all([
      this.version(owner, from),
      this.version(owner, to),
    ]);
    const text = (rules: AlertRule[]) =>
      rules.length === 0 ? '' : stringify(rules, { lineWidth: 0 });
    return {
      from,
      to,
      files: [
        { file: 'rules.yaml', lines: lineDiff(text(a.rules), text(b.rules)) },
      ],
    };
  }

  /**
   * Writes the service's rule file into every Prometheus' folder (unless it has that very file
   * already and loaded it), reloads it, and records where each stands.
   */
  async deliver(
    set: StoredRuleSet,
    targets?: Targets,
    options: { force?: boolean; binding?: ServiceBinding } = {},
  ): Promise<void> {
    const known =
      targets ??
      (options.binding ? await this.targetsOf(options.binding) : undefined);
    if (!known) return;
    const previous = await this.store.deliveries(set.entityRef);
    const clusters = [...new Set(known.targets.map(t => t.cluster))].sort();
    if (clusters.join(',') !== [...set.clusters].sort().join(',')) {
      await this.store.setClusters(set.entityRef, clusters);
    }
    if (this.config.prometheusRule) {
      const outcomes = await applyPrometheusRules(
        this.clusters,
        {
          entityRef: set.entityRef,
          version: set.version,
          rules: set.rules,
          targets: known.targets,
          pods: known.pods,
        },
        this.config.clusterLabel,
        this.config.prometheusRule.labels,
      );
      for (const o of outcomes) {
        await this.store.recordDelivery({
          entityRef: set.entityRef,
          prometheus: `${OPERATOR_PREFIX}${o.cluster}/${o.namespace}`,
          version: set.version,
          checksum: '',
          state: o.ok ? 'delivered' : 'failed',
          loadedVersion: null,
          alertingRules: 0,
          message: o.message,
        });
      }
    }
    await Promise.all(
      this.prometheusTargets().map(async prometheus => {
        const file = renderRuleFile(
          {
            entityRef: set.entityRef,
            version: set.version,
            rules: set.rules,
            targets: known.targets,
            pods: known.pods,
          },
          this.config.clusterLabel,
          prometheus.clusters,
        );
        const last = previous.find(p => p.prometheus === prometheus.name);
        if (
          !options.force &&
          last &&
          last.version === set.version &&
          last.checksum === file.checksum &&
          last.state === 'loaded'
        ) {
          return;
        }
        if (!prometheus.rulesDir) return;
        const record = {
          entityRef: set.entityRef,
          prometheus: prometheus.name,
          version: set.version,
          checksum: file.checksum,
          alertingRules: file.alertingRules,
        };
        try {
          const checked = await promtoolCheckRules(
            this.config.promtool,
            file.text,
          );
          if (!checked.ok) {
            throw new Error(
              `promtool refused the file: ${checked.output.slice(0, 500)}`,
            );
          }
          await writeRuleFile(
            prometheus.rulesDir,
            ruleFileName(set.entityRef),
            file.text,
          );
          await reloadPrometheus(prometheus);
          const loaded = (await loadedVersions(prometheus)).get(
            groupName(set.entityRef),
          );
          await this.store.recordDelivery({
            ...record,
            state: loaded === set.version ? 'loaded' : 'delivered',
            loadedVersion: loaded ?? null,
            message:
              loaded === set.version
                ? `loaded version ${set.version}`
                : `written and reloaded; Prometheus shows ${
                    loaded === undefined ? 'no version' : `version ${loaded}`
                  } yet`,
          });
        } catch (error) {
          this.logger.warn(
            `alert rules of ${set.entityRef} not delivered to ${prometheus.name}: ${error}`,
          );
          await this.store.recordDelivery({
            ...record,
            state: 'failed',
            loadedVersion: last?.loadedVersion ?? null,
            message: (error as Error).message,
          });
        }
      }),
    );
  }

  /**
   * One round of the scheduled re-delivery: asks each Prometheus which versions it evaluates,
   * and delivers again every set a Prometheus lacks (it was down, its folder was wiped, a
   * delivery failed) or whose workloads changed (the rendered file differs).
   */
  async redeliver(
    bindingsOf: (sets: StoredRuleSet[]) => Promise<Map<string, ServiceBinding>>,
  ): Promise<{ delivered: number; failed: number }> {
    const sets = await this.store.listSets();
    if (sets.length === 0) return { delivered: 0, failed: 0 };
    const loaded = new Map<string, Map<string, number> | undefined>();
    for (const prometheus of this.prometheusTargets()) {
      loaded.set(
        prometheus.name,
        await loadedVersions(prometheus).catch(() => undefined),
      );
    }
    for (const set of sets) {
      for (const [name, versions] of loaded) {
        if (versions) {
          await this.store.recordLoaded(
            set.entityRef,
            name,
            versions.get(groupName(set.entityRef)) ?? null,
          );
        }
      }
    }
    const bindings = await bindingsOf(sets);
    const deliveries = await this.store.deliveries();
    let delivered = 0;
    let failed = 0;
    for (const set of sets) {
      const binding = bindings.get(set.entityRef);
      if (!binding) continue;
      const missed = this.prometheusTargets().some(p => {
        const d = deliveries.find(
          x => x.entityRef === set.entityRef && x.prometheus === p.name,
        );
        const now = loaded.get(p.name)?.get(groupName(set.entityRef));
        return (
          !d ||
          d.version !== set.version ||
          d.state === 'failed' ||
          (loaded.get(p.name) !== undefined && now !== set.version)
        );
      });
      await this.deliver(set, undefined, { binding, force: missed });
      const after = await this.store.deliveries(set.entityRef);
      if (after.some(d => d.state === 'failed')) failed++;
      else delivered++;
    }
    return { delivered, failed };
  }

  /** The metric catalogue, with whether each Prometheus has the series of each metric. */
  async metrics(): Promise<{ items: AlertMetric[] }> {
    const now = Date.now();
    if (!this.availabilityCache || now - this.availabilityCache.at > 60_000) {
      const value = new Map<string, Set<string> | Error>();
      await Promise.all(
        this.prometheusTargets().map(async p => {
          value.set(p.name, await seriesNames(p).catch(e => e as Error));
        }),
      );
      this.availabilityCache = { at: now, value };
    }
    const series = this.availabilityCache.value;
    return {
      items: (ALERT_RULE_METRICS as readonly AlertRuleMetric[]).map(id => {
        const m = METRIC_CATALOGUE[id];
        return {
          id,
          title: m.title,
          unit: m.unit,
          description: m.description,
          perContainer: m.perContainer,
          needsDomain: m.needsDomain,
          advanced: m.advanced,
          requires: m.requires,
          availability: this.prometheusTargets().map(p => {
            const names = series.get(p.name);
            if (!names || names instanceof Error) {
              return { prometheus: p.name, available: null, missing: [] };
            }
            const missing = m.requires.filter(r => !names.has(r));
            return {
              prometheus: p.name,
              available: !m.unavailable && missing.length === 0,
              missing,
            };
          }),
          ...(m.unavailable ? { unavailable: m.unavailable } : {}),
        };
      }),
    };
  }
}
