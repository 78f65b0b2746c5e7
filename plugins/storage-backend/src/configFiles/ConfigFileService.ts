import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  ConfigFileDiff,
  ConfigFileMount,
  ConfigFileRollout,
  ConfigFileSaveResult,
  ConfigFileSet,
  configFileSetName,
  ConfigFileSetList,
  ConfigFileVersion,
  ConfigFileVersionPage,
  normalMountPath,
} from '@internal/plugin-container-cloud-common';
import {
  ClusterWriteError,
  ContainerCloudClustersService,
  describeKubeError,
  describeKubeErrorBriefly,
  ServiceBinding,
  SecretBox,
} from '@internal/plugin-container-cloud-node';
import {
  changeInEveryCluster,
  DeploymentTarget,
  objectVolume,
  podSpecWorkloads,
  throwUnlessApplied,
  workloadLabel,
  workloadsWithVolume,
} from '../mounts';
import {
  ClusterObject,
  ClusterObjects,
  objectName,
  Placement,
} from './clusterObjects';
import { ConfigFileStore, StoredSet } from './ConfigFileStore';
import {
  annotatedVersion,
  annotationKey,
  annotationValue,
  DeploymentMounts,
  mountsOf,
  withAnnotation,
  withMount,
  withoutMount,
} from '../mounts/fileSetMounts';
import { fileDiffs } from './fileDiff';
import {
  ClusterSnapshot,
  editedInCluster,
  fileInfos,
  setChecksum,
  setView,
  sortedFiles,
} from './fileSets';
import { validateFiles } from './validateFiles';

/** The service a request is about, as the route pipeline resolved it. */
export interface ConfigFileOwner {
  entityRef: string;
  binding: ServiceBinding;
}

/** The files of a save: text, or undefined to keep the base version's. */
type FileInputs = Array<{ name: string; content?: string }>;

/** How a version's text reaches the containers, in words for the page. */
export const FOLDER_NOTE =
  'Folder mounts: the kubelet updates the files in place, within its sync period (about a minute: --sync-frequency plus its ConfigMap cache); the application must re-read them.';
export const SUBPATH_NOTE =
  'Files mounted one by one (subPath) never change in a running container: Kubernetes does not update subPath mounts. Restart the Deployments to run the new version.';
export const UNMOUNTED_NOTE =
  'No Deployment mounts this file set yet: mount it to use it.';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Config file sets of services: versions in the database, one ConfigMap (Secret) per set in every
 * (cluster, namespace) the service's binding places it in, mounts in its Deployments.
 */
export class ConfigFileService {
  constructor(
    private readonly store: ConfigFileStore,
    private readonly clusters: ContainerCloudClustersService,
    private readonly logger: LoggerService,
    private readonly box: SecretBox | undefined,
    private readonly objects = new ClusterObjects(clusters),
    private readonly deployments = new DeploymentMounts(clusters),
  ) {}

  get secretsEnabled(): boolean {
    return this.box !== undefined;
  }

  /**
   * Where the service's sets are written: every (cluster, namespace) where it has Deployments,
   * inside its binding (else its explicit placements). Each pair is checked with `idIn`, so a
   * label alone never makes a namespace the service's.
   */
  targets(binding: ServiceBinding): Placement[] {
    const seen = new Map<string, Placement>();
    for (const view of this.clusters.serviceView(
      binding.kubernetesId,
      binding.visiblePlacements(),
    )) {
      for (const d of view.deployments) {
        seen.set(`${view.cluster}/${d.namespace}`, {
          cluster: view.cluster,
          namespace: d.namespace,
        });
      }
    }
    if (seen.size === 0) {
      for (const p of binding.visiblePlacements() ?? []) {
        if (this.clusters.names.includes(p.cluster)) {
          seen.set(`${p.cluster}/${p.namespace}`, p);
        }
      }
    }
    const targets = [...seen.values()].sort((a, b) =>
      `${a.cluster}/${a.namespace}`.localeCompare(
        `${b.cluster}/${b.namespace}`,
      ),
    );
    for (const t of targets) binding.idIn(t.cluster, t.namespace);
    return targets;
  }

  /** The targets of a write; 403 for an entity that controls nothing. */
  private writeTargets(owner: ConfigFileOwner): Placement[] {
    if (owner.binding.status.state !== 'bound') {
      throw new NotAllowedError(owner.binding.status.message);
    }
    return this.targets(owner.binding);
  }

  private async snapshot(
    targets: Placement[],
    kubernetesId: string,
  ): Promise<ClusterSnapshot[]> {
    return Promise.all(
      targets.map(async t => {
        try {
          const [deployments, configMaps, secrets] = await Promise.all([
            this.deployments.ofService(t, kubernetesId),
            this.objects.listLabelled(t, kubernetesId, false),
            this.box
              ? this.objects.listLabelled(t, kubernetesId, true)
              : Promise.resolve([]),
          ]);
          const bySet = (list: ClusterObject[]) =>
            new Map(
              list
                .filter(
                  o =>
                    o.set &&
                    o.set.length > 0 &&
                    o.kubernetesId === kubernetesId,
                )
                .map(o => [o.set!, o]),
            );
          return {
            ...t,
            deployments,
            configMaps: bySet(configMaps),
            secrets: bySet(secrets),
          };
        } catch (error) {
          return {
            ...t,
            deployments: [],
            configMaps: new Map(),
            secrets: new Map(),
            error: describeKubeErrorBriefly(error),
          };
        }
      }),
    );
  }

  /**
   * Labelled objects the database has no set for become sets, as version 1 "found in the
   * cluster" (the first cluster's text, in name order). Two replicas adopting at once: one row.
   */
  private async adopt(kubernetesId: string, snapshots: ClusterSnapshot[]) {
    const known = new Set(
      (await this.store.listSets(kubernetesId)).map(s => s.set.name),
    );
    for (const s of snapshots) {
      for (const [secret, objects] of [
        [false, s.configMaps],
        [true, s.secrets],
      ] as const) {
        for (const [set, o] of objects) {
          if (known.has(set) || !configFileSetName.safeParse(set).success)
            continue;
          known.add(set);
          const files = sortedFiles(o.files);
          await this.store.createSet(kubernetesId, set, secret, {
            createdBy: 'found in the cluster',
            message: `found in cluster ${s.cluster} (namespace ${s.namespace})`,
            checksum: setChecksum(files),
            fileInfos: fileInfos(files),
            filesText: this.seal(files, secret),
            origin: 'cluster',
          });
          this.logger.info(
            `adopted ${secret ? 'Secret' : 'ConfigMap'} ${
              s.namespace
            }/${objectName(kubernetesId, set)} of cluster ${
              s.cluster
            } as file set ${set} version 1`,
          );
        }
      }
    }
  }

  private seal(files: Record<string, string>, secret: boolean): string {
    const json = JSON.stringify(sortedFiles(files));
    if (!secret) return json;
    if (!this.box) {
      throw new InputError(
        'secret file sets need an encryption key: set containerCloud.storage.configFiles.encryptionKey (32 random bytes, base64)',
      );
    }
    return this.box.seal(json);
  }

  private unseal(text: string): Record<string, string> {
    if (!SecretBox.isSealed(text)) return JSON.parse(text);
    if (!this.box) {
      throw new InputError(
        'this secret file set cannot be read: containerCloud.storage.configFiles.encryptionKey is not configured',
      );
    }
    return JSON.parse(this.box.open(text));
  }

  async list(owner: ConfigFileOwner): Promise<ConfigFileSetList> {
    const { binding } = owner;
    if (binding.status.state !== 'bound') {
      return { items: [], targets: [], secretsEnabled: this.secretsEnabled };
    }
    const targets = this.targets(binding);
    const snapshots = await this.snapshot(targets, binding.kubernetesId);
    await this.adopt(binding.kubernetesId, snapshots);
    const sets = await this.store.listSets(binding.kubernetesId);
    return {
      items: sets.map(({ set, current }) => setView(set, current, snapshots)),
      targets,
      secretsEnabled: this.secretsEnabled,
    };
  }

  private async findSet(
    owner: ConfigFileOwner,
    name: string,
  ): Promise<StoredSet> {
    const set = await this.store.getSet(owner.binding.kubernetesId, name);
    if (!set || owner.binding.status.state !== 'bound') {
      throw new NotFoundError(
        `${owner.entityRef} has no config file set named '${name}'`,
      );
    }
    return set;
  }

  async view(owner: ConfigFileOwner, name: string): Promise<ConfigFileSet> {
    const set = await this.findSet(owner, name);
    return this.viewOf(owner, set);
  }

  private async viewOf(
    owner: ConfigFileOwner,
    set: StoredSet,
  ): Promise<ConfigFileSet> {
    const targets = this.targets(owner.binding);
    const snapshots = await this.snapshot(targets, owner.binding.kubernetesId);
    const current = await this.store.getVersion(set.id, set.currentVersion);
    const fresh = (await this.store.getSet(set.kubernetesId, set.name)) ?? set;
    return setView(fresh, current!, snapshots);
  }

  private async filesOf(
    set: StoredSet,
    version: number,
  ): Promise<Record<string, string>> {
    const stored = await this.store.getVersion(set.id, version);
    if (!stored) {
      throw new NotFoundError(
        `file set '${set.name}' has no version ${version}`,
      );
    }
    return this.unseal(stored.filesText);
  }

  /** The files of a save: given text, and the base version's for files given without. */
  private async resolveFiles(
    set: StoredSet | undefined,
    baseVersion: number | undefined,
    inputs: FileInputs,
  ): Promise<Record<string, string>> {
    const missing = inputs.filter(f => f.content === undefined);
    const base =
      missing.length > 0 && set && baseVersion
        ? await this.filesOf(set, baseVersion)
        : {};
    const files: Record<string, string> = {};
    for (const f of inputs) {
      const content = f.content ?? base[f.name];
      if (content === undefined) {
        throw new InputError(
          `files: ${f.name} has no content, and the version it is based on has no such file`,
        );
      }
      files[f.name] = content;
    }
    validateFiles(files);
    return sortedFiles(files);
  }

  async create(
    owner: ConfigFileOwner,
    actor: string,
    body: { name: string; secret: boolean; files: FileInputs; message: string },
  ): Promise<ConfigFileSaveResult> {
    const targets = this.writeTargets(owner);
    const kubernetesId = owner.binding.kubernetesId;
    if (body.secret && !this.box) {
      throw new InputError(
        'secret: secret file sets need an encryption key, and none is configured (containerCloud.storage.configFiles.encryptionKey); ask ops to set one',
      );
    }
    const files = await this.resolveFiles(undefined, undefined, body.files);
    // a labelled object already in a cluster is the set's version 1, not overwritten unseen
    await this.adopt(kubernetesId, await this.snapshot(targets, kubernetesId));
    const set = await this.store.createSet(
      kubernetesId,
      body.name,
      body.secret,
      {
        createdBy: actor,
        message: body.message || 'created',
        checksum: setChecksum(files),
        fileInfos: fileInfos(files),
        filesText: this.seal(files, body.secret),
      },
    );
    if (!set) {
      const existing = await this.store.getSet(kubernetesId, body.name);
      throw Object.assign(
        new ConflictError(
          `${owner.entityRef} has a config file set named '${body.name}' already (version ${existing?.currentVersion}); edit it, or choose another name`,
        ),
        existing ? { current: await this.viewOf(owner, existing) } : {},
      );
    }
    try {
      await this.publish(targets, set, files, 1, undefined);
    } catch (error) {
      await this.store.deleteSet(set.id);
      throw error;
    }
    return this.saveResult(owner, set);
  }

  async save(
    owner: ConfigFileOwner,
    actor: string,
    name: string,
    body: {
      baseVersion: number;
      files: FileInputs;
      message: string;
      overwriteClusterEdits?: boolean;
    },
    rollbackOf?: number,
  ): Promise<ConfigFileSaveResult> {
    const targets = this.writeTargets(owner);
    const set = await this.findSet(owner, name);
    if (body.baseVersion !== set.currentVersion) {
      throw await this.stale(owner, set, body.baseVersion);
    }
    const files = await this.resolveFiles(set, body.baseVersion, body.files);
    const previous = await this.filesOf(set, body.baseVersion);
    if (!body.overwriteClusterEdits) {
      await this.refuseClusterEdits(owner, set, targets, previous);
    }
    let version: number;
    try {
      version = await this.store.addVersion(set, body.baseVersion, {
        createdBy: actor,
        message:
          body.message ||
          (rollbackOf ? `rolled back to version ${rollbackOf}` : 'saved'),
        checksum: setChecksum(files),
        fileInfos: fileInfos(files),
        filesText: this.seal(files, set.secret),
        rollbackOf,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        throw await this.stale(owner, set, body.baseVersion);
      }
      throw error;
    }
    const saved = { ...set, currentVersion: version };
    try {
      await this.publish(targets, saved, files, version, {
        files: previous,
        version: body.baseVersion,
      });
    } catch (error) {
      if ((error as { restored?: boolean }).restored) {
        await this.store.dropVersion(saved, version);
      }
      throw error;
    }
    return this.saveResult(owner, saved);
  }

  async rollback(
    owner: ConfigFileOwner,
    actor: string,
    name: string,
    body: {
      version: number;
      baseVersion: number;
      message?: string;
      overwriteClusterEdits?: boolean;
    },
  ): Promise<ConfigFileSaveResult> {
    const set = await this.findSet(owner, name);
    const old = await this.filesOf(set, body.version);
    return this.save(
      owner,
      actor,
      name,
      {
        baseVersion: body.baseVersion,
        files: Object.entries(old).map(([n, content]) => ({
          name: n,
          content,
        })),
        message: body.message ?? `rolled back to version ${body.version}`,
        overwriteClusterEdits: body.overwriteClusterEdits,
      },
      body.version,
    );
  }

  /**
   * A 409 before anything is saved when an object was edited in a cluster (kubectl edit) since
   * the portal wrote it: a save would overwrite those edits unseen. The page shows them and may
   * save again with `overwriteClusterEdits`.
   */
  private async refuseClusterEdits(
    owner: ConfigFileOwner,
    set: StoredSet,
    targets: Placement[],
    previous: Record<string, string>,
  ) {
    const name = objectName(set.kubernetesId, set.name);
    const edited: string[] = [];
    for (const target of targets) {
      const o = await this.objects.read(target, name, set.secret);
      if (
        o &&
        o.set === set.name &&
        editedInCluster(o, setChecksum(previous))
      ) {
        edited.push(`${target.cluster} (${target.namespace})`);
      }
    }
    if (edited.length === 0) return;
    throw Object.assign(
      new ConflictError(
        `the ${
          set.secret ? 'Secret' : 'ConfigMap'
        } ${name} was edited in cluster ${edited.join(
          ', ',
        )} since the portal wrote it; nothing was saved. Saving would overwrite those edits: look at them, then save again choosing to overwrite them`,
      ),
      { current: await this.viewOf(owner, set) },
    );
  }

  private async stale(owner: ConfigFileOwner, set: StoredSet, base: number) {
    const fresh = (await this.store.getSet(set.kubernetesId, set.name)) ?? set;
    return Object.assign(
      new ConflictError(
        `the file set '${set.name}' changed since it was loaded: your edit is based on version ${base}, the current version is ${fresh.currentVersion}; reload it and apply your change again`,
      ),
      { current: await this.viewOf(owner, fresh) },
    );
  }

  /**
   * Writes the version to every target. When one refuses, the others are put back to the
   * previous version (or the new object removed) and the error says so; when putting one back
   * fails too, it says exactly which cluster holds which version, and the error is not `restored`.
   */
  private async publish(
    targets: Placement[],
    set: StoredSet,
    files: Record<string, string>,
    version: number,
    previous: { files: Record<string, string>; version: number } | undefined,
  ): Promise<void> {
    const content = {
      kubernetesId: set.kubernetesId,
      set: set.name,
      secret: set.secret,
      files,
      version,
      checksum: setChecksum(files),
    };
    const name = objectName(set.kubernetesId, set.name);
    const written: Array<{ target: Placement; existed: boolean }> = [];
    const failures: Array<{ target: Placement; error: unknown }> = [];
    for (const target of targets) {
      try {
        const current = await this.objects.read(target, name, set.secret);
        // a save that finished first with a later version is not overwritten by this one
        if (
          current?.version &&
          current.version > version &&
          current.set === set.name
        ) {
          continue;
        }
        await this.objects.write(target, content, current ?? null);
        written.push({ target, existed: current !== undefined });
      } catch (error) {
        failures.push({ target, error });
        break; // nothing more is written once a cluster refused
      }
    }
    if (failures.length === 0) return;
    const putBack: string[] = [];
    const stuck: string[] = [];
    for (const { target, existed } of written) {
      const where = `${target.cluster} (${target.namespace})`;
      try {
        const now = await this.objects.read(target, name, set.secret);
        if (existed && previous) {
          await this.objects.write(
            target,
            {
              ...content,
              files: previous.files,
              version: previous.version,
              checksum: setChecksum(previous.files),
            },
            now ?? null,
          );
          putBack.push(`${where} was put back to version ${previous.version}`);
        } else {
          await this.objects.delete(target, name, set.secret);
          putBack.push(`${where} was removed again`);
        }
      } catch (error) {
        stuck.push(
          `${where} holds version ${version} (putting it back failed: ${errorText(
            error,
          )})`,
        );
      }
    }
    const [{ target, error }] = failures;
    const untouched = targets
      .filter(t => t !== target && !written.some(w => w.target === t))
      .map(t => `${t.cluster} (${t.namespace}) was not written`);
    const heldBefore = previous ? `version ${previous.version}` : 'nothing';
    const summary = [
      `cluster ${target.cluster} (${
        target.namespace
      }) refused version ${version} and holds ${heldBefore}: ${errorText(
        error,
      )}`,
      ...putBack,
      ...untouched,
      ...stuck,
    ].join('; ');
    const restored = stuck.length === 0;
    const message = restored
      ? `nothing was saved: ${summary}`
      : `version ${version} is saved but not in every cluster: ${summary}; save again to retry`;
    const status = (error as { statusCode?: number }).statusCode;
    if (
      error instanceof ConflictError ||
      (error as Error)?.name === 'ConflictError'
    ) {
      throw Object.assign(new ConflictError(message), {
        restored,
        current: {
          clusters: await this.clusterStates(targets, name, set.secret),
        },
      });
    }
    throw Object.assign(new Error(message), {
      name: 'ClusterWriteError',
      statusCode: status ?? 502,
      restored,
    });
  }

  private async clusterStates(
    targets: Placement[],
    name: string,
    secret: boolean,
  ) {
    return Promise.all(
      targets.map(async t => {
        try {
          const o = await this.objects.read(t, name, secret);
          return { ...t, version: o?.version ?? null };
        } catch (error) {
          return { ...t, version: null, error: errorText(error) };
        }
      }),
    );
  }

  private async saveResult(
    owner: ConfigFileOwner,
    set: StoredSet,
  ): Promise<ConfigFileSaveResult> {
    const view = await this.viewOf(owner, set);
    const restart = new Map<
      string,
      { cluster: string; namespace: string; deployment: string }
    >();
    for (const m of view.mounts) {
      if (m.mode === 'files' && !m.current) {
        restart.set(`${m.cluster}/${m.namespace}/${m.deployment}`, {
          cluster: m.cluster,
          namespace: m.namespace,
          deployment: m.deployment,
        });
      }
    }
    const notes: string[] = [];
    if (view.mounts.some(m => m.mode === 'folder')) notes.push(FOLDER_NOTE);
    if (view.mounts.some(m => m.mode === 'files')) notes.push(SUBPATH_NOTE);
    if (view.mounts.length === 0) notes.push(UNMOUNTED_NOTE);
    return { set: view, restartNeeded: [...restart.values()], notes };
  }

  async versions(
    owner: ConfigFileOwner,
    name: string,
    page: { before?: number; limit: number },
  ): Promise<ConfigFileVersionPage> {
    const set = await this.findSet(owner, name);
    const { items, total } = await this.store.listVersions(set.id, page);
    const last = items[items.length - 1];
    return {
      items,
      total,
      nextBefore:
        last && last.version > 1 && items.length === page.limit
          ? last.version
          : null,
    };
  }

  /** One version; a secret set's text only with `reveal` (its own permission). */
  async version(
    owner: ConfigFileOwner,
    name: string,
    version: number,
    reveal: boolean,
  ): Promise<ConfigFileVersion> {
    const set = await this.findSet(owner, name);
    const stored = await this.store.getVersion(set.id, version);
    if (!stored) {
      throw new NotFoundError(`file set '${name}' has no version ${version}`);
    }
    const { filesText, ...summary } = stored;
    const showText = !set.secret || reveal;
    const files = showText ? this.unseal(filesText) : {};
    return {
      ...summary,
      secret: set.secret,
      files: summary.files.map(f =>
        showText ? { ...f, content: files[f.name] ?? '' } : f,
      ),
    };
  }

  async diff(
    owner: ConfigFileOwner,
    name: string,
    from: number,
    to: number,
  ): Promise<ConfigFileDiff> {
    const set = await this.findSet(owner, name);
    const [before, after] = await Promise.all([
      this.filesOf(set, from),
      this.filesOf(set, to),
    ]);
    return {
      from,
      to,
      files: fileDiffs(before, after, set.secret),
      redacted: set.secret,
    };
  }

  /**
   * Mounts the set into the service's Deployments in every target: the object is written first
   * where it is missing; a Deployment that refuses undoes the mounts already made.
   */
  async mount(
    owner: ConfigFileOwner,
    name: string,
    body: ConfigFileMount,
  ): Promise<ConfigFileRollout> {
    const targets = this.writeTargets(owner);
    const set = await this.findSet(owner, name);
    const files = await this.filesOf(set, set.currentVersion);
    const objName = objectName(set.kubernetesId, set.name);
    const plan: Array<{ target: Placement; deployment: V1Deployment }> = [];
    for (const target of targets) {
      for (const d of await this.deployments.ofService(
        target,
        set.kubernetesId,
      )) {
        plan.push({ target, deployment: d });
      }
    }
    if (plan.length === 0) {
      throw new InputError(
        `${owner.entityRef} has no Deployment in any cluster to mount '${name}' into`,
      );
    }
    const request = {
      set: set.name,
      objectName: objName,
      secret: set.secret,
      path: normalMountPath(body.path),
      mode: body.mode,
      containers: body.containers,
      fileNames: Object.keys(files),
      annotation: annotationValue(set.currentVersion, setChecksum(files)),
    };
    // every change is computed (and refused, 400) before anything is written
    for (const p of plan) withMount(p.deployment, request);
    for (const target of targets) {
      const current = await this.objects.read(target, objName, set.secret);
      if (!current) {
        await this.publish([target], set, files, set.currentVersion, undefined);
      }
    }
    return this.rollout(
      owner,
      set,
      plan.map(p => p.target),
      plan.map(p => p.deployment),
      d => withMount(d, request),
    );
  }

  async unmount(
    owner: ConfigFileOwner,
    name: string,
    path: string,
  ): Promise<ConfigFileRollout> {
    const targets = this.writeTargets(owner);
    const set = await this.findSet(owner, name);
    const changes: Array<{ target: Placement; deployment: V1Deployment }> = [];
    for (const target of targets) {
      for (const d of await this.deployments.ofService(
        target,
        set.kubernetesId,
      )) {
        if (mountsOf(d, set.name).some(m => m.path === normalMountPath(path))) {
          changes.push({ target, deployment: d });
        }
      }
    }
    if (changes.length === 0) {
      throw new NotFoundError(
        `no Deployment of ${owner.entityRef} mounts '${name}' at ${path}`,
      );
    }
    return this.rollout(
      owner,
      set,
      changes.map(c => c.target),
      changes.map(c => c.deployment),
      fresh => withoutMount(fresh, set.name, path),
      'unmounted',
    );
  }

  /** A rolling restart of the Deployments that mount the set: their pods get the current version. */
  async restart(
    owner: ConfigFileOwner,
    name: string,
  ): Promise<ConfigFileRollout> {
    const targets = this.writeTargets(owner);
    const set = await this.findSet(owner, name);
    const files = await this.filesOf(set, set.currentVersion);
    const value = annotationValue(set.currentVersion, setChecksum(files));
    const changes: Array<{ target: Placement; deployment: V1Deployment }> = [];
    for (const target of targets) {
      for (const d of await this.deployments.ofService(
        target,
        set.kubernetesId,
      )) {
        if (mountsOf(d, set.name).length === 0) continue;
        const now =
          d.spec?.template.metadata?.annotations?.[annotationKey(set.name)];
        if (annotatedVersion(now) === set.currentVersion) continue;
        changes.push({ target, deployment: d });
      }
    }
    return this.rollout(
      owner,
      set,
      changes.map(c => c.target),
      changes.map(c => c.deployment),
      fresh => withAnnotation(fresh, set.name, value),
    );
  }

  /**
   * Changes the Deployments in every cluster the one way the plugin changes a Deployment
   * (`changeInEveryCluster`: JSON patches under the resourceVersion, derived again a few times
   * when the controller's status writes move it, the ones written put back when one refuses).
   */
  private async rollout(
    owner: ConfigFileOwner,
    set: StoredSet,
    at: Placement[],
    deployments: V1Deployment[],
    change: (d: V1Deployment) => V1Deployment,
    done: 'mounted' | 'unmounted' = 'mounted',
  ): Promise<ConfigFileRollout> {
    const targets: DeploymentTarget[] = deployments.map((d, i) => ({
      cluster: at[i].cluster,
      namespace: at[i].namespace,
      deployment: d.metadata?.name ?? '',
    }));
    const result = await changeInEveryCluster(this.clusters, owner.binding, {
      targets,
      change,
      attempts: 4,
      done,
    });
    // every Deployment put back: the error that stopped it, saying so
    throwUnlessApplied(result);
    if (!result.ok) {
      const error = result.error!;
      const kept = result.outcomes
        .filter(o => o.state === 'left-applied')
        .map(
          o =>
            `${o.cluster}/${o.namespace}/${o.deployment} keeps the change (putting it back failed: ${o.error?.message})`,
        );
      error.message = [error.message, ...kept].join('; ');
      throw error;
    }
    return {
      set: await this.viewOf(owner, set),
      deployments: result.outcomes.map(o => ({
        cluster: o.cluster,
        namespace: o.namespace,
        deployment: o.deployment ?? '',
        changed: o.state === done,
      })),
    };
  }

  /** Deletes the set everywhere; 409 naming the Deployments that still mount it. */
  async remove(owner: ConfigFileOwner, name: string): Promise<void> {
    const targets = this.writeTargets(owner);
    const set = await this.findSet(owner, name);
    const objName = objectName(set.kubernetesId, set.name);
    // every kind of workload that can mount it (anyone's, in the namespace), in every cluster
    const users: string[] = [];
    for (const target of targets) {
      const workloads = await podSpecWorkloads(this.clusters, target.cluster, {
        namespace: target.namespace,
      }).catch(error => {
        throw new ClusterWriteError(
          target.cluster,
          describeKubeError(error),
          error,
        );
      });
      users.push(
        ...workloadsWithVolume(
          workloads,
          objectVolume(objName, set.secret),
        ).map(workloadLabel),
      );
    }
    if (users.length > 0) {
      throw Object.assign(
        new ConflictError(
          `file set '${name}' is mounted by ${users.join(
            ', ',
          )}: unmount it first`,
        ),
        { current: await this.viewOf(owner, set) },
      );
    }
    for (const target of targets) {
      await this.objects.delete(target, objName, set.secret);
    }
    await this.store.deleteSet(set.id);
  }
}
