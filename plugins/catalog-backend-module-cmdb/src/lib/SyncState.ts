import { CmdbRecordKind } from './types';

/** What the provider remembers of an entity it put in the catalog. */
export interface KnownEntity {
  kind: CmdbRecordKind;
  id: string;
  /** `metadata.name` */
  name: string;
  /** Full entity ref, lower case. */
  ref: string;
  /** The CMDB name, trimmed and lower case, to find duplicate names across syncs. */
  rawName: string;
  /** Parent team id (teams only), to find cycles across syncs. */
  parent?: string;
}

export const ENTITY_KIND: Record<CmdbRecordKind, string> = {
  businessLine: 'Domain',
  project: 'System',
  service: 'Component',
  team: 'Group',
  person: 'User',
};

export const recordKey = (kind: CmdbRecordKind, id: string) => `${kind}:${id}`;
const nameKey = (kind: CmdbRecordKind, lowerName: string) =>
  `${ENTITY_KIND[kind]}:${lowerName}`;

/**
 * The provider's memory of the last applied sync: which CMDB record became which entity, and the
 * relations it read from link tables (which delta syncs do not read again). Bounded by the number
 * of entities: a few hundred bytes each.
 */
export class SyncState {
  private readonly byKey = new Map<string, KnownEntity>();
  private readonly byName = new Map<string, string>();
  private readonly byRawName = new Map<string, string>();
  /** Person id → team ids, from a membership link table. */
  readonly memberships = new Map<string, string[]>();
  /** Service id → service ids, from a dependency link table. */
  readonly dependencies = new Map<string, string[]>();

  get size(): number {
    return this.byKey.size;
  }

  get(kind: CmdbRecordKind, id: string): KnownEntity | undefined {
    return this.byKey.get(recordKey(kind, id));
  }

  /** Id of the record holding entity name `lowerName` of this kind. */
  holderOfName(kind: CmdbRecordKind, lowerName: string): string | undefined {
    return this.byName.get(nameKey(kind, lowerName));
  }

  /** Id of the record whose CMDB name is `rawName` (trimmed, lower case). */
  holderOfRawName(kind: CmdbRecordKind, rawName: string): string | undefined {
    return this.byRawName.get(nameKey(kind, rawName));
  }

  set(entity: KnownEntity): void {
    this.delete(entity.kind, entity.id);
    this.byKey.set(recordKey(entity.kind, entity.id), entity);
    this.byName.set(nameKey(entity.kind, entity.name.toLowerCase()), entity.id);
    this.byRawName.set(nameKey(entity.kind, entity.rawName), entity.id);
  }

  delete(kind: CmdbRecordKind, id: string): void {
    const known = this.byKey.get(recordKey(kind, id));
    if (!known) return;
    this.byKey.delete(recordKey(kind, id));
    const name = nameKey(kind, known.name.toLowerCase());
    if (this.byName.get(name) === id) this.byName.delete(name);
    const rawName = nameKey(kind, known.rawName);
    if (this.byRawName.get(rawName) === id) this.byRawName.delete(rawName);
  }

  entities(): IterableIterator<KnownEntity> {
    return this.byKey.values();
  }
}
