import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Request, Response } from 'express';

const gzip = promisify(gzipCallback);

/**
 * A JSON answer serialised once, to be sent to many callers as it is: its bytes, their gzip
 * (made on first demand, then kept) and an entity tag derived from the bytes, so the same tag
 * always means the same body, whichever process made it. A route handler returns one instead
 * of a plain value; the pipeline then answers `If-None-Match` with a 304 and sends the bytes
 * without serialising again.
 * @public
 */
export class SerializedJson {
  /** a weak tag (the gzip and the plain bytes are one representation to a cache) */
  readonly etag: string;
  readonly bytes: Buffer;
  private gzipped?: Promise<Buffer>;
  private gzippedLength = 0;

  private constructor(bytes: Buffer) {
    this.bytes = bytes;
    this.etag = `W/"${createHash('sha256')
      .update(bytes)
      .digest('base64url')
      .slice(0, 27)}"`;
  }

  static of(value: unknown): SerializedJson {
    return new SerializedJson(Buffer.from(JSON.stringify(value), 'utf8'));
  }

  /** The bytes gzipped, made once (the first caller that accepts gzip pays for it). */
  gzip(): Promise<Buffer> {
    if (!this.gzipped) {
      this.gzipped = gzip(this.bytes);
      this.gzipped.then(
        zipped => {
          this.gzippedLength = zipped.length;
        },
        // a failed compression is tried again by the next caller
        () => {
          this.gzipped = undefined;
        },
      );
    }
    return this.gzipped;
  }

  /** what the cache holds of it: the plain bytes, and the gzip once made */
  get size(): number {
    return this.bytes.length + this.gzippedLength;
  }
}

/** @public */
export function isSerializedJson(value: unknown): value is SerializedJson {
  return value instanceof SerializedJson;
}

/** The tag without its weakness marker, for the weak comparison `If-None-Match` asks for. */
function opaque(tag: string): string {
  const trimmed = tag.trim();
  return trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed;
}

/**
 * Whether an `If-None-Match` header names this tag (or `*`), by weak comparison (RFC 9110
 * 13.1.2).
 * @public
 */
export function ifNoneMatchHits(
  header: string | undefined,
  etag: string,
): boolean {
  if (!header) return false;
  const wanted = opaque(etag);
  return header
    .split(',')
    .some(
      candidate => candidate.trim() === '*' || opaque(candidate) === wanted,
    );
}

/** Whether the caller takes gzip (`Accept-Encoding`, a q of 0 refusing it). */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some(part => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map(p => p.trim()).find(p => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

/**
 * Sends a serialised answer: a 304 without a body when `If-None-Match` names its tag (on a 200
 * only), else the bytes, gzipped when the caller accepts it. The answer depends on the caller's
 * rights, so shared caches must not keep it, and a browser asks again each time (`no-cache`)
 * with the tag it holds.
 * @public
 */
export async function sendSerializedJson(
  req: Request,
  res: Response,
  status: number,
  body: SerializedJson,
): Promise<void> {
  res.setHeader('ETag', body.etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Vary', 'Accept-Encoding, Authorization');
  if (status === 200 && ifNoneMatchHits(req.get('If-None-Match'), body.etag)) {
    res.status(304).end();
    return;
  }
  res.status(status);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (acceptsGzip(req.get('Accept-Encoding'))) {
    const zipped = await body.gzip();
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', zipped.length);
    res.end(zipped);
    return;
  }
  res.setHeader('Content-Length', body.bytes.length);
  res.end(body.bytes);
}

/**
 * Serialised answers kept by key while their `stamp` (whatever changes the answer: versions,
 * health, rights) stays the same, least recently used first out past `maxEntries` or `maxBytes`.
 * Many callers asking for an unchanged answer share one serialisation.
 * @public
 */
export class SerializedJsonCache {
  private readonly entries = new Map<
    string,
    { stamp: string; body: SerializedJson; madeAt: number }
  >();
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.maxEntries = options.maxEntries ?? 500;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /**
   * The answer kept under `key` if made at `stamp`; else `build()`'s, serialised and kept. With
   * `reuseWithinMs`, an answer made less than that long ago is kept even though the stamp moved:
   * what changes many times a second is serialised at most once per `reuseWithinMs` (its readers
   * see it that much late), however many callers ask.
   */
  get(
    key: string,
    stamp: string,
    build: () => unknown,
    options: { reuseWithinMs?: number } = {},
  ): SerializedJson {
    const kept = this.entries.get(key);
    this.entries.delete(key);
    const now = Date.now();
    if (
      kept &&
      (kept.stamp === stamp || now - kept.madeAt < (options.reuseWithinMs ?? 0))
    ) {
      this.entries.set(key, kept);
      return kept.body;
    }
    const body = SerializedJson.of(build());
    this.entries.set(key, { stamp, body, madeAt: now });
    this.evict();
    return body;
  }

  /** Forgets every answer whose key starts with `prefix`. */
  forget(prefix: string): void {
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** the bytes held, gzips included */
  get bytes(): number {
    let total = 0;
    for (const { body } of this.entries.values()) total += body.size;
    return total;
  }

  private evict() {
    while (this.entries.size > this.maxEntries) this.dropOldest();
    // the newest entry stays even when it alone is over the budget: its callers need it
    while (this.entries.size > 1 && this.bytes > this.maxBytes)
      this.dropOldest();
  }

  private dropOldest() {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
