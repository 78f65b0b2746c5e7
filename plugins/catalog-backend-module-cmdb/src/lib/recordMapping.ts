import { asString, asStringList, readPath } from './fieldPath';
import { CmdbRecord, CmdbRecordKind } from './types';

/** Where each field of a record lives in the CMDB's JSON (dotted paths). @public */
export interface CmdbFieldMapping {
  id: string;
  name: string;
  displayName?: string;
  description?: string;
  email?: string;
  owner?: string;
  parent?: string;
  dependsOn?: string;
  memberOf?: string;
  lifecycle?: string;
  kubernetesId?: string;
  viewUrl?: string;
}

/** How one kind of record is read from its source. @public */
export interface CmdbRecordMapping {
  fields: CmdbFieldMapping;
  /** The record counts as deleted when this field has one of these values. */
  deletedWhen?: { field: string; values: string[] };
  /** A link back to the record when it has no `viewUrl` field; `{id}` is replaced. */
  viewUrlTemplate?: string;
}

/** Reads one raw CMDB item into a record; never throws, missing fields stay undefined. */
export function mapRawRecord(
  kind: CmdbRecordKind,
  raw: unknown,
  mapping: CmdbRecordMapping,
): CmdbRecord {
  const { fields } = mapping;
  const read = (path?: string) =>
    path ? asString(readPath(raw, path)) : undefined;
  const readList = (path?: string) =>
    path ? asStringList(readPath(raw, path)) : undefined;

  const id = read(fields.id) ?? '';
  const record: CmdbRecord = { kind, id };
  const optional: Array<[keyof CmdbRecord, string | undefined]> = [
    ['name', read(fields.name)],
    ['displayName', read(fields.displayName)],
    ['description', read(fields.description)],
    ['email', read(fields.email)],
    ['owner', read(fields.owner)],
    ['parent', read(fields.parent)],
    ['lifecycle', read(fields.lifecycle)],
    ['kubernetesId', read(fields.kubernetesId)],
    [
      'viewUrl',
      read(fields.viewUrl) ??
        (mapping.viewUrlTemplate && id
          ? mapping.viewUrlTemplate.replace('{id}', encodeURIComponent(id))
          : undefined),
    ],
  ];
  for (const [key, value] of optional) {
    if (value !== undefined)
      (record as unknown as Record<string, unknown>)[key] = value;
  }
  const dependsOn = readList(fields.dependsOn);
  if (dependsOn) record.dependsOn = dependsOn;
  const memberOf = readList(fields.memberOf);
  if (memberOf) record.memberOf = memberOf;

  if (mapping.deletedWhen) {
    const value = read(mapping.deletedWhen.field);
    if (value !== undefined && mapping.deletedWhen.values.includes(value)) {
      record.deleted = true;
    }
  }
  return record;
}
