import type { Knex } from 'knex';
import { SecretBox } from '@internal/plugin-container-cloud-node';
import type {
  ReceiverChange,
  ReceiverKind,
} from '@internal/plugin-container-cloud-common';

/** A receiver as the database keeps it: its secrets apart from its other settings. */
export interface StoredReceiver {
  name: string;
  kind: ReceiverKind;
  description?: string;
  sendResolved: boolean;
  /** the kind's settings without secrets */
  settings: Record<string, unknown>;
  /** the kind's secrets (SMTP password, bearer token, IM webhook URL) */
  secrets: Record<string, string>;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** The Alertmanager configuration the database holds: its version and the file's checksum. */
export interface ConfigState {
  version: number;
  /** sha256 of the file rendered from this version; undefined until first rendered */
  checksum?: string;
  changedBy?: string;
  changedAt?: string;
}

/** What a change of the receivers leaves: the new configuration version. */
export interface StoredChange {
  configVersion: number;
  receiver?: StoredReceiver;
}

/** A receiver that changed since the editor loaded it (the caller answers 409 with `current`). */
export class StaleReceiverError extends Error {
  name = 'StaleReceiverError';
  constructor(readonly current: StoredReceiver | undefined) {
    super('stale');
  }
}

export class DuplicateReceiverError extends Error {
  name = 'DuplicateReceiverError';
}

const TABLE = 'alert_receivers';
const CHANGES = 'alert_receiver_changes';
const CONFIG = 'alertmanager_config';

/** A timestamp as the database gives it back (a Date, or SQLite's milliseconds). */
function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || /^\d+$/.test(String(value))) {
    return new Date(Number(value)).toISOString();
  }
  return new Date(String(value)).toISOString();
}

/** The key a receiver's secrets are encrypted under (named in the errors about it). */
export const RECEIVER_KEY_CONFIG =
  'containerCloud.alerts.alertmanager.encryptionKey';

/** A receiver whose secrets are encrypted, read by a backend without the key. */
export class SecretsUnreadableError extends Error {
  name = 'SecretsUnreadableError';
}

/**
 * The `secrets` column's text: `{}` when there is none, else the JSON encrypted by the box
 * (`enc:v1:`); the database never holds a plain secret.
 */
export function sealSecrets(
  secrets: Record<string, string>,
  box: SecretBox | undefined,
): string {
  if (Object.keys(secrets).length === 0) return '{}';
  if (!box) {
    throw new SecretsUnreadableError(
      `receivers' secrets need an encryption key: set ${RECEIVER_KEY_CONFIG} (32 random bytes, base64)`,
    );
  }
  return box.seal(JSON.stringify(secrets));
}

function openSecrets(
  text: string,
  box: SecretBox | undefined,
  name: string,
): Record<string, string> {
  if (!SecretBox.isSealed(text)) return JSON.parse(text); // rows from before encryption
  if (!box) {
    throw new SecretsUnreadableError(
      `the secrets of receiver '${name}' are encrypted and ${RECEIVER_KEY_CONFIG} is not configured`,
    );
  }
  try {
    return JSON.parse(box.open(text));
  } catch {
    throw new SecretsUnreadableError(
      `the secrets of receiver '${name}' cannot be decrypted with ${RECEIVER_KEY_CONFIG} (another key, or a changed row)`,
    );
  }
}

function fromRow(row: any, box: SecretBox | undefined): StoredReceiver {
  return {
    name: row.name,
    kind: row.kind,
    description: row.description ?? undefined,
    sendResolved: Boolean(row.send_resolved),
    settings: JSON.parse(row.settings),
    secrets: openSecrets(row.secrets, box, row.name),
    version: Number(row.version),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedBy: row.updated_by,
    updatedAt: iso(row.updated_at),
  };
}

/** The receivers, their changes and the configuration version: the only code that knows the tables. */
export class ReceiverStore {
  /** `box`: the key receivers' secrets are encrypted under; without it none can be saved */
  constructor(private readonly knex: Knex, private readonly box?: SecretBox) {}

  /** Whether secrets can be saved (an encryption key is configured). */
  get canKeepSecrets(): boolean {
    return this.box !== undefined;
  }

  async list(db: Knex = this.knex): Promise<StoredReceiver[]> {
    const rows = await db(TABLE).select().orderBy('name');
    return rows.map(row => fromRow(row, this.box));
  }

  async get(name: string, db: Knex = this.knex) {
    const row = await db(TABLE).where({ name }).first();
    return row ? fromRow(row, this.box) : undefined;
  }

  /**
   * Encrypts the secrets of rows saved before they were encrypted (or while no key was
   * configured): each row only if it still holds the text read, so replicas starting together
   * do not undo each other. Returns the names of the receivers it sealed, and of those still
   * holding plain secrets because no key is configured.
   */
  async sealPlainSecrets(): Promise<{ sealed: string[]; plain: string[] }> {
    const rows = await this.knex(TABLE).select('name', 'secrets');
    const result = { sealed: [] as string[], plain: [] as string[] };
    for (const row of rows) {
      const text = String(row.secrets);
      if (SecretBox.isSealed(text)) continue;
      const secrets = JSON.parse(text) as Record<string, string>;
      if (Object.keys(secrets).length === 0) continue;
      if (!this.box) {
        result.plain.push(row.name);
        continue;
      }
      const updated = await this.knex(TABLE)
        .where({ name: row.name, secrets: text })
        .update({ secrets: sealSecrets(secrets, this.box) });
      if (updated) result.sealed.push(row.name);
    }
    return result;
  }

  async configState(db: Knex = this.knex): Promise<ConfigState> {
    const row = await db(CONFIG).where({ id: 1 }).first();
    return {
      version: Number(row?.version ?? 0),
      checksum: row?.checksum ?? undefined,
      changedBy: row?.changed_by ?? undefined,
      changedAt: row?.changed_at ? iso(row.changed_at) : undefined,
    };
  }

  /** Records the checksum of the file rendered from `version`, unless a newer version exists. */
  async setChecksum(version: number, checksum: string): Promise<void> {
    await this.knex(CONFIG).where({ id: 1, version }).update({ checksum });
  }

  async history(name?: string): Promise<ReceiverChange[]> {
    const query = this.knex(CHANGES).select().orderBy('id', 'desc').limit(200);
    if (name) query.where({ receiver: name });
    const rows = await query;
    return rows.map((row: any) => ({
      receiver: row.receiver,
      action: row.action,
      version: Number(row.version),
      configVersion: Number(row.config_version),
      by: row.changed_by,
      at: iso(row.changed_at),
    }));
  }

  /**
   * Runs one change of the receivers in a transaction: the configuration's version goes up and
   * the change is recorded, or nothing happens.
   */
  private async change(
    by: string,
    apply: (
      tx: Knex.Transaction,
      now: Date,
      configVersion: number,
    ) => Promise<{
      receiver: string;
      action: ReceiverChange['action'];
      stored?: StoredReceiver;
      version: number;
    }>,
  ): Promise<StoredChange> {
    return this.knex.transaction(async tx => {
      const now = new Date();
      // taking the config row first serialises concurrent changes on PostgreSQL
      const bumped = await tx(CONFIG)
        .where({ id: 1 })
        .update({
          version: tx.raw('version + 1'),
          changed_by: by,
          changed_at: now,
          checksum: null,
        });
      if (!bumped) throw new Error('the alertmanager_config row is missing');
      const { version: configVersion } = await this.configState(tx);
      const done = await apply(tx, now, configVersion);
      await tx(CHANGES).insert({
        receiver: done.receiver,
        action: done.action,
        version: done.version,
        config_version: configVersion,
        settings: done.stored
          ? JSON.stringify({
              kind: done.stored.kind,
              description: done.stored.description ?? null,
              sendResolved: done.stored.sendResolved,
              ...done.stored.settings,
            })
          : null,
        changed_by: by,
        changed_at: now,
      });
      return { configVersion, receiver: done.stored };
    });
  }

  async create(
    receiver: Pick<
      StoredReceiver,
      'name' | 'kind' | 'description' | 'sendResolved' | 'settings' | 'secrets'
    >,
    by: string,
  ): Promise<StoredChange> {
    return this.change(by, async (tx, now) => {
      if (await this.get(receiver.name, tx)) {
        throw new DuplicateReceiverError(
          `a receiver named '${receiver.name}' exists already`,
        );
      }
      await tx(TABLE).insert({
        name: receiver.name,
        kind: receiver.kind,
        description: receiver.description ?? null,
        send_resolved: receiver.sendResolved,
        settings: JSON.stringify(receiver.settings),
        secrets: sealSecrets(receiver.secrets, this.box),
        version: 1,
        created_by: by,
        created_at: now,
        updated_by: by,
        updated_at: now,
      });
      const stored = (await this.get(receiver.name, tx))!;
      return { receiver: receiver.name, action: 'create', stored, version: 1 };
    });
  }

  async update(
    name: string,
    baseVersion: number,
    next: Pick<
      StoredReceiver,
      'kind' | 'description' | 'sendResolved' | 'settings' | 'secrets'
    >,
    by: string,
  ): Promise<StoredChange> {
    return this.change(by, async (tx, now) => {
      const updated = await tx(TABLE)
        .where({ name, version: baseVersion })
        .update({
          kind: next.kind,
          description: next.description ?? null,
          send_resolved: next.sendResolved,
          settings: JSON.stringify(next.settings),
          secrets: sealSecrets(next.secrets, this.box),
          version: baseVersion + 1,
          updated_by: by,
          updated_at: now,
        });
      if (!updated) throw new StaleReceiverError(await this.get(name, tx));
      const stored = (await this.get(name, tx))!;
      return {
        receiver: name,
        action: 'update',
        stored,
        version: baseVersion + 1,
      };
    });
  }

  async remove(
    name: string,
    baseVersion: number,
    by: string,
  ): Promise<StoredChange> {
    return this.change(by, async tx => {
      const deleted = await tx(TABLE)
        .where({ name, version: baseVersion })
        .delete();
      if (!deleted) throw new StaleReceiverError(await this.get(name, tx));
      return { receiver: name, action: 'delete', version: baseVersion };
    });
  }
}
