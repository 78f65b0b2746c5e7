import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { resolveEntityNames } from './entityNames';
import { ENTITY_KIND, KnownEntity, recordKey, SyncState } from './SyncState';
import {
  CMDB_RECORD_KINDS,
  CmdbLink,
  CmdbRecord,
  CmdbRecordKind,
  CmdbSkippedRecord,
} from './types';

/** Annotations the provider puts on every entity. */
export const CMDB_ID_ANNOTATION = 'cmdb.container-cloud.io/id';
export const CMDB_PROVIDER_ANNOTATION = 'cmdb.container-cloud.io/provider';
export const VIEW_URL_ANNOTATION = 'backstage.io/view-url';
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

export interface PlanOptions {
  providerId: string;
  namespace: string;
  /** Fallback link for `backstage.io/managed-by-location` when a record has no view URL. */
  baseUrl: string;
  defaultLifecycle: string;
  /** Entity ref used as owner when a business line, project or service names none. */
  defaultOwner?: string;
}

export interface SyncPlan {
  entities: Entity[];
  /** Refs of entities the catalog should drop (lower case). */
  removedRefs: string[];
  skipped: CmdbSkippedRecord[];
  /** The state after the catalog took the plan. A delta plan updates `previous` in place. */
  nextState(): SyncState;
}

const CHECK_ORDER: CmdbRecordKind[] = [
  'team',
  'person',
  'businessLine',
  'project',
  'service',
];

/**
 * Turns the records of one sync into entities. A full plan covers everything the CMDB has; a delta
 * plan covers the changed records and is checked against `previous` (owners, parents and names
 * that already exist). Bad records are skipped with a reason, never thrown.
 */
export function planSync(
  mode: 'full' | 'delta',
  records: Iterable<CmdbRecord>,
  links: Iterable<CmdbLink>,
  previous: SyncState | undefined,
  options: PlanOptions,
): SyncPlan {
  const known = mode === 'delta' ? previous : undefined;
  const linkIndex = new Map<string, string[]>();
  for (const link of links) {
    const key = `${link.kind}:${link.from}`;
    const targets = linkIndex.get(key);
    if (targets) targets.push(link.to);
    else linkIndex.set(key, [link.to]);
  }
  const skipped: CmdbSkippedRecord[] = [];
  const batch = new Map<string, CmdbRecord>();
  const retired = new Set<string>();
  const skip = (
    record: CmdbRecord,
    problem: CmdbSkippedRecord['problem'],
    reason: string,
  ) => {
    skipped.push({
      kind: record.kind,
      id: record.id || '(none)',
      problem,
      reason,
    });
    batch.delete(recordKey(record.kind, record.id));
  };

  for (const record of records) {
    const key = recordKey(record.kind, record.id);
    if (!record.id) {
      skipped.push({
        kind: record.kind,
        id: '(none)',
        problem: 'missing-field',
        reason: `missing field: id (name ${record.name ?? 'missing too'})`,
      });
    } else if (batch.has(key) || retired.has(key)) {
      skipped.push({
        kind: record.kind,
        id: record.id,
        problem: 'duplicate-id',
        reason: 'the CMDB returned this id twice; the first record counts',
      });
    } else if (record.deleted) {
      retired.add(key);
    } else if (!record.name) {
      skipped.push({
        kind: record.kind,
        id: record.id,
        problem: 'missing-field',
        reason: 'missing field: name',
      });
    } else {
      batch.set(key, record);
    }
  }

  // In a delta, what the catalog already has (and this sync does not retire) counts too.
  const knownEntity = (kind: CmdbRecordKind, id: string) => {
    const entity = known?.get(kind, id);
    return entity && !retired.has(recordKey(kind, id)) ? entity : undefined;
  };
  const untouchedKnown = (kind: CmdbRecordKind, id: string | undefined) =>
    id !== undefined &&
    !batch.has(recordKey(kind, id)) &&
    knownEntity(kind, id) !== undefined;

  const byKind = (kind: CmdbRecordKind) =>
    [...batch.values()]
      .filter(r => r.kind === kind)
      .sort((a, b) => (a.id < b.id ? -1 : 1));

  skipDuplicateNames();
  const exists = (kind: CmdbRecordKind, id: string) =>
    batch.has(recordKey(kind, id)) || knownEntity(kind, id) !== undefined;

  skipTeamCycles();
  for (const kind of CHECK_ORDER) {
    // a team's parent may be skipped only because its own parent was: repeat until stable
    for (let changed = true; changed; ) {
      changed = false;
      for (const record of byKind(kind)) {
        const problem = referenceProblem(record);
        if (problem) {
          skip(record, problem[0], problem[1]);
          changed = kind === 'team';
        }
      }
    }
  }

  // names only for the records that made it, so a skipped record never takes a name from another
  const names = new Map<string, string>();
  for (const kind of CMDB_RECORD_KINDS) {
    const resolved = resolveEntityNames(
      byKind(kind).map(r => ({ key: r.id, rawName: r.name! })),
      {
        prefix: kind.toLowerCase(),
        previousHolder: lower => previous?.holderOfName(kind, lower),
        reserved: lower =>
          untouchedKnown(kind, known?.holderOfName(kind, lower)),
      },
    );
    for (const [id, name] of resolved) names.set(recordKey(kind, id), name);
  }

  const entities: Entity[] = [];
  const emitted: KnownEntity[] = [];
  for (const record of batch.values()) {
    const name = names.get(recordKey(record.kind, record.id))!;
    entities.push(toEntity(record, name));
    emitted.push({
      kind: record.kind,
      id: record.id,
      name,
      ref: refOf(record.kind, record.id)!,
      rawName: record.name!.trim().toLowerCase(),
      parent: record.kind === 'team' ? record.parent : undefined,
    });
  }

  const removedRefs: string[] = [];
  if (mode === 'full' && previous) {
    const emittedRefs = new Set(emitted.map(e => e.ref));
    for (const entity of previous.entities()) {
      if (!emittedRefs.has(entity.ref)) removedRefs.push(entity.ref);
    }
  } else if (mode === 'delta' && previous) {
    for (const key of retired) {
      const [kind, ...id] = key.split(':');
      const entity = previous.get(kind as CmdbRecordKind, id.join(':'));
      if (entity) removedRefs.push(entity.ref);
    }
    for (const entity of emitted) {
      const before = previous.get(entity.kind, entity.id);
      if (before && before.ref !== entity.ref) removedRefs.push(before.ref);
    }
  }

  return {
    entities,
    removedRefs,
    skipped,
    nextState() {
      if (mode === 'delta' && previous) {
        for (const key of retired) {
          const [kind, ...id] = key.split(':');
          previous.delete(kind as CmdbRecordKind, id.join(':'));
        }
        for (const entity of emitted) previous.set(entity);
        return previous;
      }
      const state = new SyncState();
      for (const entity of emitted) state.set(entity);
      for (const [key, targets] of linkIndex) {
        const [kind, ...from] = key.split(':');
        const map =
          kind === 'membership' ? state.memberships : state.dependencies;
        map.set(from.join(':'), targets);
      }
      return state;
    },
  };

  // ---- helpers (hoisted; they close over the sync's maps) ----

  function skipDuplicateNames() {
    const groups = new Map<string, CmdbRecord[]>();
    for (const record of batch.values()) {
      const key = `${record.kind}:${record.name!.trim().toLowerCase()}`;
      const group = groups.get(key);
      if (group) group.push(record);
      else groups.set(key, [record]);
    }
    for (const group of groups.values()) {
      const { kind } = group[0];
      const rawName = group[0].name!.trim().toLowerCase();
      const holderId = previous?.holderOfRawName(kind, rawName);
      if (group.length === 1 && !untouchedKnown(kind, holderId)) continue;
      const winner = untouchedKnown(kind, holderId)
        ? undefined
        : group.find(r => r.id === holderId) ??
          group.reduce((a, b) => (b.id < a.id ? b : a));
      const holder = winner?.id ?? holderId;
      for (const record of group) {
        if (record !== winner) {
          skip(
            record,
            'duplicate-name',
            `duplicate name "${record.name}" (also the name of ${holder})`,
          );
        }
      }
    }
  }

  function teamParent(id: string): string | undefined {
    const record = batch.get(recordKey('team', id));
    return record ? record.parent : knownEntity('team', id)?.parent;
  }

  function skipTeamCycles() {
    const visited = new Map<string, 'walking' | 'done'>();
    for (const team of byKind('team')) {
      const path: string[] = [];
      let current: string | undefined = team.id;
      while (current !== undefined && !visited.has(current)) {
        visited.set(current, 'walking');
        path.push(current);
        current = teamParent(current);
      }
      if (current !== undefined && visited.get(current) === 'walking') {
        const cycle = path.slice(path.indexOf(current));
        const description = [...cycle, current].join(' → ');
        for (const id of cycle) {
          const record = batch.get(recordKey('team', id));
          if (record) {
            skip(record, 'cycle', `cycle in team parents: ${description}`);
          }
        }
      }
      for (const id of path) visited.set(id, 'done');
    }
  }

  type Problem = [CmdbSkippedRecord['problem'], string];

  /** The entity ref of a batch record (after names are resolved) or of a known entity. */
  function refOf(kind: CmdbRecordKind, id: string): string | undefined {
    const key = recordKey(kind, id);
    if (batch.has(key)) {
      const name = names.get(key);
      return `${ENTITY_KIND[kind].toLowerCase()}:${
        options.namespace
      }/${name}`.toLowerCase();
    }
    return knownEntity(kind, id)?.ref;
  }

  function ownerProblem(record: CmdbRecord): Problem | undefined {
    if (!record.owner) {
      return options.defaultOwner
        ? undefined
        : ['missing-field', 'missing field: owner'];
    }
    if (exists('team', record.owner) || exists('person', record.owner)) {
      return undefined;
    }
    return [
      'missing-owner',
      `owner ${record.owner} does not exist (or was skipped)`,
    ];
  }

  function ownerRef(record: CmdbRecord): string {
    if (!record.owner) return options.defaultOwner!;
    return exists('team', record.owner)
      ? refOf('team', record.owner)!
      : refOf('person', record.owner)!;
  }

  function referenceProblem(record: CmdbRecord): Problem | undefined {
    const parentKind: Partial<Record<CmdbRecordKind, CmdbRecordKind>> = {
      team: 'team',
      project: 'businessLine',
      service: 'project',
    };
    const kind = parentKind[record.kind];
    if (kind && record.parent && !exists(kind, record.parent)) {
      return [
        'missing-parent',
        `parent ${kind} ${record.parent} does not exist (or was skipped)`,
      ];
    }
    if (record.kind === 'team' || record.kind === 'person') return undefined;
    return ownerProblem(record);
  }

  function toEntity(record: CmdbRecord, name: string): Entity {
    const annotations: Record<string, string> = {
      'backstage.io/managed-by-location': `url:${
        record.viewUrl ?? options.baseUrl
      }`,
      // not a url: users can register url locations, never a cmdb one, so this origin is
      // proof that the entity comes from this provider (container-cloud-node's binding trusts it)
      'backstage.io/managed-by-origin-location': `cmdb:${options.providerId}`,
      [CMDB_ID_ANNOTATION]: record.id,
      [CMDB_PROVIDER_ANNOTATION]: options.providerId,
    };
    if (record.viewUrl) annotations[VIEW_URL_ANNOTATION] = record.viewUrl;
    const rawName = record.name!.trim();
    const metadata: Entity['metadata'] = {
      name,
      namespace: options.namespace,
      annotations,
      ...(rawName !== name ? { title: rawName } : {}),
      ...(record.description ? { description: record.description } : {}),
    };
    const entity = (spec: JsonObject): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: ENTITY_KIND[record.kind],
      metadata,
      spec,
    });
    const owner = () => ownerRef(record);
    const existing = (kind: CmdbRecordKind, ids: string[] | undefined) =>
      [...new Set(ids ?? [])]
        .map(id => refOf(kind, id))
        .filter((ref): ref is string => ref !== undefined);

    switch (record.kind) {
      case 'businessLine':
        return entity({ owner: owner() });
      case 'project':
        return entity({
          owner: owner(),
          ...(record.parent
            ? { domain: refOf('businessLine', record.parent) }
            : {}),
        });
      case 'service': {
        annotations[KUBERNETES_ID_ANNOTATION] = record.kubernetesId ?? name;
        const dependsOn = existing('service', [
          ...(record.dependsOn ?? []),
          ...(linkedFrom('dependency', record.id) ?? []),
        ]);
        return entity({
          type: 'service',
          lifecycle: record.lifecycle ?? options.defaultLifecycle,
          owner: owner(),
          ...(record.parent ? { system: refOf('project', record.parent) } : {}),
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
        });
      }
      case 'team':
        return entity({
          type: 'team',
          profile: {
            displayName: record.displayName ?? rawName,
            ...(record.email ? { email: record.email } : {}),
          },
          ...(record.parent ? { parent: refOf('team', record.parent) } : {}),
          children: [],
        });
      case 'person':
      default:
        return entity({
          profile: {
            displayName: record.displayName ?? rawName,
            ...(record.email ? { email: record.email } : {}),
          },
          memberOf: existing('team', [
            ...(record.memberOf ?? []),
            ...(linkedFrom('membership', record.id) ?? []),
          ]),
        });
    }
  }

  function linkedFrom(
    kind: CmdbLink['kind'],
    id: string,
  ): string[] | undefined {
    if (mode === 'delta') {
      const map =
        kind === 'membership' ? previous?.memberships : previous?.dependencies;
      return map?.get(id);
    }
    return linkIndex.get(`${kind}:${id}`);
  }
}
