import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  ExecExit,
  ExecSession,
} from '@internal/plugin-container-cloud-node';
import crypto from 'node:crypto';

/** What a shell's page gets: output from an offset, and how it ended. */
export type ShellEvent =
  | { type: 'output'; offset: number; data: string }
  | { type: 'exit'; exitCode?: number; message?: string };

export interface ShellLimits {
  /** shells one user may hold open at once */
  maxPerUser: number;
  /** shells open at once in this backend */
  maxTotal: number;
  /** a shell with no input and nobody reading for this long is closed */
  idleTimeoutMs: number;
  /** output kept for a page that reconnects (bytes) */
  bufferBytes: number;
  /**
   * output streams one shell may have open at once (a page, and one reconnecting); every reader
   * costs a copy of all output, so more are refused (409). Default 3.
   */
  maxReadersPerSession?: number;
}

export const DEFAULT_SHELL_LIMITS: Required<ShellLimits> = {
  maxPerUser: 3,
  maxTotal: 50,
  idleTimeoutMs: 15 * 60_000,
  bufferBytes: 256 * 1024,
  maxReadersPerSession: 3,
};

/**
 * The shell slots of every backend replica (ShellDirectory, in the plugin's database): a new
 * shell's slot is counted against both limits and taken there at once, so two replicas opening a
 * shell at the same moment cannot both take the last one.
 */
export interface ShellSlots {
  /** Takes a slot for a new shell; or answers why not, in words for a 409. */
  take(
    shell: { id: string; user: string; entityRef: string },
    limits: Pick<ShellLimits, 'maxPerUser' | 'maxTotal'>,
  ): Promise<string | undefined>;
  /** The shell ended: its slot is free. */
  end(id: string): Promise<void>;
  /** The shell never opened (its connection failed): forgets it. */
  forget(id: string): Promise<void>;
}

/** The 409's words when a user holds as many shells as one may. */
export function perUserShellRefusal(open: number): string {
  return `you already have ${open} shells open, the most one person may (containerCloud.services.shell.maxSessionsPerUser); close one first`;
}

/** The 409's words when the backend (and its other replicas) hold as many shells as allowed. */
export function totalShellRefusal(open: number, elsewhere: boolean): string {
  return `${open} shells are open in this backend${
    elsewhere ? ' and its other replicas' : ''
  }, the most it allows (containerCloud.services.shell.maxSessions); try again later`;
}

/** Where a shell runs, as the audit events and the page name it. */
export interface ShellTarget {
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
}

interface Session {
  id: string;
  user: string;
  target: ShellTarget;
  startedAt: number;
  lastActivity: number;
  exec?: ExecSession;
  /** output kept for readers: chunks with the offset of their first byte */
  chunks: Array<{ offset: number; data: Buffer }>;
  bufferedBytes: number;
  written: number;
  received: number;
  exit?: ExecExit;
  readers: Set<(event: ShellEvent) => void>;
  onEnd: (session: ShellSummary) => void;
  /** frees the shell's slot among every replica's, once it is taken */
  endSlot?: () => Promise<void>;
}

/** How a shell ended, for its audit event. */
export interface ShellSummary {
  id: string;
  user: string;
  target: ShellTarget;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
  exit: ExecExit;
}

/**
 * The open shells of this backend, each bound to the user who opened it: another user asking for
 * it gets a 404, as if it did not exist. Output is kept in a bounded buffer so a page that
 * reconnects (or opens the stream a moment after the shell started) misses nothing recent.
 */
export class ShellSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly limits: ShellLimits = DEFAULT_SHELL_LIMITS) {
    this.sweeper = setInterval(
      () => this.closeIdle(),
      Math.min(60_000, limits.idleTimeoutMs),
    );
    this.sweeper.unref();
  }

  /**
   * Reserves a shell for `user`, then connects it with `connect`. Refuses (409) when the user or
   * the backend holds as many shells as allowed; nothing is opened then. With `slots`, the limits
   * hold over every replica: the shell's slot is taken there (atomically) before it connects, and
   * freed when it ends; this registry still counts the shells it holds itself first.
   */
  async open(
    user: string,
    target: ShellTarget,
    connect: (handlers: {
      onOutput(chunk: Buffer): void;
      onExit(exit: ExecExit): void;
    }) => Promise<ExecSession>,
    onEnd: (summary: ShellSummary) => void,
    slots?: ShellSlots,
  ): Promise<string> {
    const live = [...this.sessions.values()].filter(s => !s.exit);
    const mine = live.filter(s => s.user === user).length;
    if (mine >= this.limits.maxPerUser) {
      throw new ConflictError(perUserShellRefusal(mine));
    }
    if (live.length >= this.limits.maxTotal) {
      throw new ConflictError(totalShellRefusal(live.length, false));
    }
    const now = Date.now();
    const session: Session = {
      id: crypto.randomUUID(),
      user,
      target,
      startedAt: now,
      lastActivity: now,
      chunks: [],
      bufferedBytes: 0,
      written: 0,
      received: 0,
      readers: new Set(),
      onEnd,
    };
    // held here from now on, so this registry's own count includes it while the slot is taken
    this.sessions.set(session.id, session);
    let taken = false;
    try {
      if (slots) {
        const refusal = await slots.take(
          { id: session.id, user, entityRef: target.entityRef },
          this.limits,
        );
        if (refusal) throw new ConflictError(refusal);
        taken = true;
        session.endSlot = () => slots.end(session.id);
        // closed while its slot was being taken (the backend shutting down)
        if (session.exit) await session.endSlot().catch(() => {});
      }
      session.exec = await connect({
        onOutput: chunk => this.output(session, chunk),
        onExit: exit => void this.ended(session, exit),
      });
    } catch (error) {
      this.sessions.delete(session.id);
      if (taken) await slots?.forget(session.id).catch(() => {});
      throw error;
    }
    if (session.exit) session.exec.close();
    return session.id;
  }

  /** Sends keystrokes to the shell. */
  write(id: string, user: string, data: string) {
    const session = this.get(id, user);
    if (session.exit) {
      throw new ConflictError(`the shell has ended: ${describe(session.exit)}`);
    }
    session.lastActivity = Date.now();
    session.received += Buffer.byteLength(data);
    session.exec?.write(data);
  }

  resize(id: string, user: string, columns: number, rows: number) {
    const session = this.get(id, user);
    session.lastActivity = Date.now();
    session.exec?.resize(columns, rows);
  }

  /**
   * Follows a shell's output from `offset` (what the buffer still holds of it first), then live,
   * until it ends or the returned function is called. Refuses (409) a reader beyond
   * `maxReadersPerSession`.
   */
  follow(
    id: string,
    user: string,
    offset: number,
    listener: (event: ShellEvent) => void,
  ): () => void {
    const session = this.get(id, user);
    const maxReaders =
      this.limits.maxReadersPerSession ??
      DEFAULT_SHELL_LIMITS.maxReadersPerSession;
    if (!session.exit && session.readers.size >= maxReaders) {
      throw new ConflictError(
        `this shell already has ${session.readers.size} pages reading it, the most one shell may (containerCloud.services.shell.maxReadersPerSession); close one first`,
      );
    }
    session.lastActivity = Date.now();
    for (const chunk of session.chunks) {
      const end = chunk.offset + chunk.data.length;
      if (end <= offset) continue;
      const from = Math.max(0, offset - chunk.offset);
      listener({
        type: 'output',
        offset: chunk.offset + from,
        data: chunk.data.subarray(from).toString('base64'),
      });
    }
    if (session.exit) {
      listener({ type: 'exit', ...session.exit });
      return () => {};
    }
    session.readers.add(listener);
    return () => {
      session.readers.delete(listener);
      session.lastActivity = Date.now();
    };
  }

  /** Closes the user's shell; resolves once its slot is free on every replica. */
  async close(id: string, user: string): Promise<void> {
    const session = this.get(id, user);
    await this.ended(session, { message: 'closed by the user' });
  }

  /** Closes every shell (backend shutdown); resolves once their slots are freed. */
  async closeAll(reason: string): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all(
      [...this.sessions.values()].map(session =>
        this.ended(session, { message: reason }),
      ),
    );
  }

  /** Where the user's shell runs (its service included); 404 as for anyone else's shell. */
  targetOf(id: string, user: string): ShellTarget {
    return this.get(id, user).target;
  }

  /** Whether this backend holds the shell (open, or ended a moment ago). */
  has(id: string): boolean {
    return this.sessions.has(id);
  }

  /** The ids of every shell this backend holds. */
  ids(): string[] {
    return [...this.sessions.keys()];
  }

  /** The shells a user has open, oldest first. */
  list(user: string): Array<ShellTarget & { id: string; startedAt: string }> {
    return [...this.sessions.values()]
      .filter(s => s.user === user && !s.exit)
      .map(s => ({
        id: s.id,
        startedAt: new Date(s.startedAt).toISOString(),
        ...s.target,
      }));
  }

  private get(id: string, user: string): Session {
    const session = this.sessions.get(id);
    if (!session || session.user !== user) {
      throw new NotFoundError(`no shell ${id} of yours is open`);
    }
    return session;
  }

  private output(session: Session, chunk: Buffer) {
    const offset = session.written;
    session.written += chunk.length;
    session.chunks.push({ offset, data: chunk });
    session.bufferedBytes += chunk.length;
    while (
      session.bufferedBytes > this.limits.bufferBytes &&
      session.chunks.length > 1
    ) {
      session.bufferedBytes -= session.chunks.shift()!.data.length;
    }
    const event: ShellEvent = {
      type: 'output',
      offset,
      data: chunk.toString('base64'),
    };
    session.readers.forEach(reader => reader(event));
  }

  private ended(session: Session, exit: ExecExit): Promise<void> {
    if (session.exit) return Promise.resolve();
    session.exit = exit;
    // the slot is freed whatever became of the connection; a row left behind stops counting
    // when this replica forgets the shell (a minute on) and renews the directory
    const slotFreed = session.endSlot?.().catch(() => {}) ?? Promise.resolve();
    session.exec?.close();
    session.readers.forEach(reader => reader({ type: 'exit', ...exit }));
    session.readers.clear();
    // kept a little while so a page that reconnects reads the end; then forgotten
    setTimeout(() => this.sessions.delete(session.id), 60_000).unref();
    session.onEnd({
      id: session.id,
      user: session.user,
      target: session.target,
      durationMs: Date.now() - session.startedAt,
      bytesIn: session.received,
      bytesOut: session.written,
      exit,
    });
    return slotFreed;
  }

  private closeIdle() {
    const cutoff = Date.now() - this.limits.idleTimeoutMs;
    for (const session of this.sessions.values()) {
      if (
        !session.exit &&
        session.readers.size === 0 &&
        session.lastActivity < cutoff
      ) {
        void this.ended(session, {
          message: `closed after ${Math.round(
            this.limits.idleTimeoutMs / 60_000,
          )} minutes without input or a reader`,
        });
      }
    }
  }
}

function describe(exit: ExecExit): string {
  if (exit.exitCode !== undefined) return `exit code ${exit.exitCode}`;
  return exit.message ?? 'ended';
}
