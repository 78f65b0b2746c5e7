import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  AlertmanagerConfigStatus,
  ReceiverChange,
  ReceiverChangeResult,
  ReceiverCreate,
  ReceiverList,
  ReceiverUpdate,
  ReceiverView,
} from '@internal/plugin-container-cloud-common';
import { AlertmanagerClient } from './AlertmanagerClient';
import { amtoolCheck } from './amtool';
import {
  renderAlertmanagerConfig,
  RenderedConfig,
} from './renderAlertmanagerConfig';
import {
  DuplicateReceiverError,
  RECEIVER_KEY_CONFIG,
  ReceiverStore,
  SecretsUnreadableError,
  StaleReceiverError,
  StoredReceiver,
} from './ReceiverStore';
import type { AlertmanagerSettings } from './settings';

type ReceiverFields = Omit<ReceiverUpdate, 'version'>;
type Parts = {
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
};

/** A receiver's settings split into what may be shown and its secrets (saved ones kept when left out). */
function splitSettings(input: ReceiverFields, saved?: StoredReceiver): Parts {
  const keep = saved && saved.kind === input.kind ? saved.secrets : {};
  // a secret left out keeps the saved one
  const secrets = (value: Record<string, string | undefined>) => {
    const merged: Record<string, string> = { ...keep };
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) merged[key] = v;
    }
    return merged;
  };
  if (input.kind === 'email') {
    const { authPassword, ...settings } = input.email!;
    return { settings, secrets: secrets({ authPassword }) };
  }
  if (input.kind === 'webhook') {
    const { bearerToken, ...settings } = input.webhook!;
    return { settings, secrets: secrets({ bearerToken }) };
  }
  const { url, ...settings } = input.im!;
  const parts: Parts = { settings, secrets: secrets({ url }) };
  if (!parts.secrets.url) {
    throw new InputError('invalid receiver: im.url is required');
  }
  parts.settings = { ...settings, urlHint: new URL(parts.secrets.url).origin };
  return parts;
}

const SECRET_FIELDS: Record<string, string> = {
  authPassword: 'email.authPassword',
  bearerToken: 'webhook.bearerToken',
  url: 'im.url',
};

/** A 400 naming the secret field when secrets are given and no key is configured to keep them. */
function requireKeyFor(parts: Parts, store: ReceiverStore): void {
  const field = Object.keys(parts.secrets)[0];
  if (field === undefined || store.canKeepSecrets) return;
  throw new InputError(
    `invalid receiver: ${
      SECRET_FIELDS[field] ?? field
    }: secrets are kept encrypted and no key is configured (${RECEIVER_KEY_CONFIG}); ask ops to set one`,
  );
}

/** The store's answer, a 503 saying why when a receiver's secrets cannot be decrypted here. */
async function readable<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof SecretsUnreadableError) {
      throw new ServiceUnavailableError(error.message);
    }
    throw error;
  }
}

/** A receiver as the browser sees it: secrets only as whether they are set. */
export function receiverView(r: StoredReceiver): ReceiverView {
  const s = r.settings as any;
  return {
    name: r.name,
    kind: r.kind,
    description: r.description,
    sendResolved: r.sendResolved,
    ...(r.kind === 'email'
      ? {
          email: {
            to: s.to,
            from: s.from,
            smarthost: s.smarthost,
            authUsername: s.authUsername,
            requireTls: s.requireTls,
            hasAuthPassword: Boolean(r.secrets.authPassword),
          },
        }
      : {}),
    ...(r.kind === 'webhook'
      ? {
          webhook: {
            url: s.url,
            maxAlerts: s.maxAlerts,
            hasBearerToken: Boolean(r.secrets.bearerToken),
          },
        }
      : {}),
    ...(r.kind === 'im'
      ? { im: { flavour: s.flavour, urlHint: s.urlHint, channel: s.channel } }
      : {}),
    version: r.version,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt,
  };
}

/**
 * The field of a receiver an amtool refusal is about, so the page shows it under that field
 * (the kind's settings when the message names none of its fields).
 */
export function amtoolField(kind: string, message: string): string {
  const text = message.toLowerCase();
  if (kind === 'email') {
    if (/smarthost/.test(text)) return 'email.smarthost';
    if (/from/.test(text)) return 'email.from';
    if (/auth|password|username/.test(text)) return 'email.authUsername';
    return 'email.to';
  }
  if (kind === 'webhook') return 'webhook.url';
  return 'im.url';
}

/**
 * Receivers managed by ops: kept in the database (versioned), rendered into Alertmanager's
 * configuration, checked by amtool before anything is saved, written atomically, Alertmanager
 * reloaded and its loaded configuration read back.
 */
export class ReceiverService {
  /** one delivery at a time in this process; the database orders the versions */
  private delivering: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: ReceiverStore,
    private readonly settings: AlertmanagerSettings | undefined,
    private readonly logger: LoggerService,
  ) {}

  private managed(): AlertmanagerSettings & { configFile: string } {
    const settings = this.settings;
    if (!settings?.configFile) {
      throw new ServiceUnavailableError(
        'receivers are not managed here: set containerCloud.alerts.alertmanager.configFile (and url)',
      );
    }
    return settings as AlertmanagerSettings & { configFile: string };
  }

  async list(): Promise<ReceiverList> {
    const receivers = await readable(this.store.list());
    return {
      items: receivers.map(receiverView),
      alertmanager: await this.status(),
    };
  }

  async get(name: string): Promise<ReceiverView> {
    return receiverView(await this.existing(name));
  }

  history(name?: string): Promise<ReceiverChange[]> {
    return this.store.history(name);
  }

  private async existing(name: string): Promise<StoredReceiver> {
    const found = await readable(this.store.get(name));
    if (!found) throw new NotFoundError(`no receiver named '${name}'`);
    return found;
  }

  /** amtool's verdict on the configuration the receivers would render to; a 400 naming the field. */
  private async check(
    receivers: StoredReceiver[],
    changed: { name: string; kind: string },
  ): Promise<void> {
    const settings = this.managed();
    const state = await this.store.configState();
    const rendered = renderAlertmanagerConfig(
      receivers,
      settings,
      state.version + 1,
    );
    const verdict = await amtoolCheck(settings.amtool, rendered.text);
    if (!verdict.ok) {
      throw new InputError(
        `invalid receiver: ${amtoolField(
          changed.kind,
          verdict.message,
        )}: amtool check-config refused the configuration: ${verdict.message}`,
      );
    }
  }

  async create(
    input: ReceiverCreate,
    by: string,
  ): Promise<ReceiverChangeResult> {
    this.managed();
    const parts = splitSettings(input);
    requireKeyFor(parts, this.store);
    const candidate: StoredReceiver = {
      name: input.name,
      kind: input.kind,
      description: input.description,
      sendResolved: input.sendResolved ?? true,
      ...parts,
      version: 1,
      createdBy: by,
      createdAt: new Date().toISOString(),
      updatedBy: by,
      updatedAt: new Date().toISOString(),
    };
    const current = await readable(this.store.list());
    if (current.some(r => r.name === input.name)) {
      throw new ConflictError(
        `a receiver named '${input.name}' exists already`,
      );
    }
    await this.check([...current, candidate], input);
    let change;
    try {
      change = await this.store.create(candidate, by);
    } catch (error) {
      if (error instanceof DuplicateReceiverError) {
        throw new ConflictError(error.message);
      }
      throw error;
    }
    return {
      receiver: receiverView(change.receiver!),
      alertmanager: await this.deliver(),
    };
  }

  async update(
    name: string,
    input: ReceiverUpdate,
    by: string,
  ): Promise<ReceiverChangeResult> {
    this.managed();
    const saved = await this.existing(name);
    if (saved.version !== input.version) throw this.stale(saved);
    const parts = splitSettings(input, saved);
    requireKeyFor(parts, this.store);
    const next = {
      kind: input.kind,
      description: input.description,
      sendResolved: input.sendResolved ?? true,
      ...parts,
    };
    const current = await readable(this.store.list());
    await this.check(
      current.map(r => (r.name === name ? { ...r, ...next } : r)),
      { name, kind: input.kind },
    );
    try {
      const change = await this.store.update(name, input.version, next, by);
      return {
        receiver: receiverView(change.receiver!),
        alertmanager: await this.deliver(),
      };
    } catch (error) {
      if (error instanceof StaleReceiverError) throw this.stale(error.current);
      throw error;
    }
  }

  async remove(
    name: string,
    version: number,
    by: string,
  ): Promise<ReceiverChangeResult> {
    this.managed();
    const saved = await this.existing(name);
    if (saved.version !== version) throw this.stale(saved);
    const current = await readable(this.store.list());
    await this.check(
      current.filter(r => r.name !== name),
      { name, kind: saved.kind },
    );
    try {
      await this.store.remove(name, version, by);
    } catch (error) {
      if (error instanceof StaleReceiverError) throw this.stale(error.current);
      throw error;
    }
    return { alertmanager: await this.deliver() };
  }

  private stale(current: StoredReceiver | undefined): ConflictError {
    const error = new ConflictError(
      current
        ? `receiver '${current.name}' changed since it was loaded (now version ${current.version}, by ${current.updatedBy})`
        : 'the receiver was deleted since it was loaded',
    );
    (error as { current?: unknown }).current = current
      ? receiverView(current)
      : null;
    return error;
  }

  /** The configuration the database holds now, rendered. */
  private async renderCurrent(): Promise<{
    rendered: RenderedConfig;
    version: number;
    changedBy?: string;
    changedAt?: string;
  }> {
    const settings = this.managed();
    const [receivers, state] = await Promise.all([
      readable(this.store.list()),
      this.store.configState(),
    ]);
    return {
      rendered: renderAlertmanagerConfig(receivers, settings, state.version),
      version: state.version,
      changedBy: state.changedBy,
      changedAt: state.changedAt,
    };
  }

  private async fileChecksum(): Promise<string | undefined> {
    try {
      const text = await readFile(this.managed().configFile);
      return createHash('sha256').update(text).digest('hex');
    } catch {
      return undefined;
    }
  }

  /**
   * Writes the database's configuration to the file when the file holds another (checked by
   * amtool, written to a sibling file and renamed over it), reloads Alertmanager and reads back
   * what it runs. One at a time in this process.
   */
  deliver(
    options: { force?: boolean } = {},
  ): Promise<AlertmanagerConfigStatus> {
    const run = this.delivering.then(() => this.deliverNow(options.force));
    this.delivering = run.catch(() => undefined);
    return run;
  }

  private async deliverNow(forced = true): Promise<AlertmanagerConfigStatus> {
    const settings = this.managed();
    let force = forced;
    // another replica may save and write meanwhile: after writing, a newer version in the
    // database is written again, so the last writer always leaves the newest version
    for (let attempt = 0; attempt < 5; attempt++) {
      const { rendered, version } = await this.renderCurrent();
      // the file is taken over with the first receiver saved here (or an explicit deliver):
      // until then the deployment's own file stays, e.g. a fresh backend does not wipe it
      if (!force && version === 0) break;
      if (!force && (await this.fileChecksum()) === rendered.checksum) break;
      const verdict = await amtoolCheck(settings.amtool, rendered.text);
      if (!verdict.ok) {
        // only a change amtool accepted reaches the database; this is a tool or config change
        this.logger.error(
          `alertmanager configuration version ${version} refused by amtool, not written: ${verdict.message}`,
        );
        return {
          ...(await this.status()),
          message: `amtool check-config refused version ${version}: ${verdict.message}`,
        };
      }
      await this.writeAtomically(settings.configFile, rendered.text);
      await this.store.setChecksum(version, rendered.checksum);
      this.logger.info(`alertmanager configuration version ${version} written`);
      try {
        await new AlertmanagerClient(settings.url, settings.timeoutMs).reload();
      } catch (error) {
        this.logger.warn(
          `alertmanager reload failed: ${(error as Error).message}`,
        );
      }
      if ((await this.store.configState()).version === version) break;
      force = true;
    }
    return this.status();
  }

  /** Writes a sibling file and renames it over the file: readers see the old or the new one whole. */
  private async writeAtomically(file: string, text: string): Promise<void> {
    const scratch = join(
      dirname(file),
      `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    await writeFile(scratch, text, { mode: 0o640 });
    await rename(scratch, file);
  }

  /** Whether the file holds the database's configuration and Alertmanager runs it. */
  async status(): Promise<AlertmanagerConfigStatus> {
    if (!this.settings?.configFile) {
      return {
        version: 0,
        written: false,
        loaded: 'unknown',
        message:
          'receivers are not managed here (containerCloud.alerts.alertmanager.configFile is not set)',
      };
    }
    const { rendered, version, changedBy, changedAt } =
      await this.renderCurrent();
    const written = (await this.fileChecksum()) === rendered.checksum;
    const base = { version, changedBy, changedAt, written };
    const notes = rendered.notes.length ? rendered.notes.join('; ') : undefined;
    try {
      const loaded = await new AlertmanagerClient(
        this.settings.url,
        this.settings.timeoutMs,
      ).loadedConfig();
      const runs = loaded.includes(rendered.marker);
      return {
        ...base,
        loaded: runs ? 'loaded' : 'not-loaded',
        message: runs
          ? notes
          : [
              written
                ? 'Alertmanager has not loaded the written file (see its log)'
                : 'the file does not hold this version yet',
              notes,
            ]
              .filter(Boolean)
              .join('; '),
      };
    } catch (error) {
      return { ...base, loaded: 'unknown', message: (error as Error).message };
    }
  }
}
