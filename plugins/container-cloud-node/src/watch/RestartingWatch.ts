import type {
  Informer,
  KubernetesObject,
  ObjectCache,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  describeKubeError,
  describeKubeErrorBriefly,
} from '../clusters/ClusterConnection';

/** An informer together with the cache it fills. @public */
export type CachingInformer<T extends KubernetesObject> = Informer<T> &
  ObjectCache<T>;

/** What happened to a watched object. @public */
export type WatchVerb = 'add' | 'update' | 'delete';

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

/**
 * One informer kept running. The informer itself never restarts after a failed list or a broken
 * watch; this does, after a backoff that doubles from 1 s up to 30 s and starts again at 1 s once
 * the watch lists again or objects flow. Until then the watch says it is unsynced, and why.
 *
 * Every watch cache of the cluster layer (workloads, their events, any kind a plugin asks for)
 * runs through this one class.
 * @public
 */
export class RestartingWatch<T extends KubernetesObject> {
  private synced = false;
  private stopped = true;
  private failure?: unknown;
  private failedThisAttempt = false;
  private backoff = FIRST_BACKOFF_MS;
  private retry?: NodeJS.Timeout;
  private attempt?: Promise<void>;

  constructor(
    readonly informer: CachingInformer<T>,
    private readonly options: {
      /** names the watch in the log: `cluster a: Pod watch` */
      name: string;
      logger: LoggerService;
    },
  ) {
    informer.on('error', error => this.failed(error));
  }

  /** Adds a handler for one verb; an object arriving also resets the backoff. */
  on(verb: WatchVerb, handler: (object: T) => void): void {
    this.informer.on(verb, object => {
      this.backoff = FIRST_BACKOFF_MS;
      handler(object);
    });
  }

  /** true once the watch has listed and has not failed since */
  get isSynced(): boolean {
    return this.synced;
  }

  /**
   * The kind of the last failure while unsynced, in words fit for any reader (cluster health);
   * the apiserver's own words go to the log only.
   */
  get error(): string | undefined {
    if (this.synced || this.failure === undefined) return undefined;
    return describeKubeErrorBriefly(this.failure);
  }

  /** Starts the watch; resolves when it has listed once or failed once (then it retries). */
  start(): Promise<void> {
    this.stopped = false;
    return this.run();
  }

  /**
   * Resolves once the watch is synced. A watch waiting out its backoff is tried again now; a
   * failed attempt rejects with its error, and `timeoutMs` bounds the wait.
   */
  async whenSynced(timeoutMs: number): Promise<void> {
    if (this.synced) return;
    if (this.stopped) throw new Error(`${this.options.name} is stopped`);
    if (!this.attempt) {
      clearTimeout(this.retry);
      this.retry = undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.run(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`listing took over ${timeoutMs / 1000} s`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    if (!this.synced) {
      throw this.failure ?? new Error(`${this.options.name} did not sync`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.synced = false;
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.informer.stop().catch(() => undefined);
  }

  /** Starts an attempt, or joins the one under way. */
  private run(): Promise<void> {
    if (!this.attempt) {
      this.failedThisAttempt = false;
      this.attempt = this.informer
        .start()
        .then(
          () => {
            if (!this.failedThisAttempt && !this.stopped) {
              this.synced = true;
              this.failure = undefined;
              this.backoff = FIRST_BACKOFF_MS;
            }
          },
          error => this.failed(error),
        )
        .finally(() => {
          this.attempt = undefined;
        });
    }
    return this.attempt;
  }

  private failed(error: unknown) {
    this.failedThisAttempt = true;
    this.synced = false;
    this.failure = error;
    if (this.stopped || this.retry) return;
    this.options.logger.warn(
      `${this.options.name} failed (${describeKubeError(error)}); retrying in ${
        this.backoff / 1000
      } s`,
    );
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.run();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }
}
