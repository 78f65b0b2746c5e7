/** What a secret is replaced with. */
export const REDACTED = '***';

/** Secrets shorter than this are not redacted (they would mask ordinary words). */
export const MIN_SECRET_LENGTH = 4;

/**
 * The base64 text that holds a secret wherever it sits in a longer encoded text (a Basic auth
 * header is base64 of `user:password`): for each of the 3 byte alignments, the characters that
 * only the secret's bytes decide; plus the secret's own encoding, padding included.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [bytes.toString('base64')];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([
      Buffer.alloc(shift),
      bytes,
      Buffer.alloc(2),
    ]).toString('base64');
    const first = Math.ceil((8 * shift) / 6);
    const end = Math.floor((8 * (shift + bytes.length)) / 6);
    const core = encoded.slice(first, end);
    if (core.length >= MIN_SECRET_LENGTH) forms.push(core);
  }
  return forms;
}

/** A secret's forms in a log: itself, base64 (any alignment, standard and URL-safe), URL-encoded. */
export function secretForms(secret: string): string[] {
  const base64 = base64Forms(secret);
  const forms = new Set([
    secret,
    ...base64,
    ...base64.map(b => b.replace(/\+/g, '-').replace(/\//g, '_')),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
  ]);
  return [...forms].filter(f => f.length >= MIN_SECRET_LENGTH);
}

/** [start, end) spans of the text that are a secret's form, merged where they overlap. */
function secretSpans(
  text: string,
  forms: readonly string[],
  masked: number,
): Array<[number, number]> {
  const spans: Array<[number, number]> = masked > 0 ? [[0, masked]] : [];
  for (const form of forms) {
    for (
      let at = text.indexOf(form);
      at !== -1;
      at = text.indexOf(form, at + 1)
    ) {
      spans.push([at, at + form.length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] < last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

/**
 * Redacts secrets from a log as it streams: every secret (of at least 4 characters) and its
 * base64 and URL-encoded forms become `***`, even when a secret arrives split over two `push`
 * calls. It holds back at most the longest form's length minus one character (the text that
 * may be the start of a secret), which `flush()` gives out at the end of a step.
 */
export class LogRedactor {
  private readonly forms: string[];
  private readonly holdBack: number;
  private pending = '';
  /** the first characters of `pending` that belong to a secret already (partly) given out as *** */
  private maskedAhead = 0;

  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret.length >= MIN_SECRET_LENGTH)
        secretForms(secret).forEach(f => forms.add(f));
    }
    this.forms = [...forms];
    this.holdBack = Math.max(0, ...this.forms.map(f => f.length - 1));
  }

  /** The redacted text that can be given out now. */
  push(text: string): string {
    return this.take(this.pending + text, false);
  }

  /** The redacted rest (the end of a step, or of the log). */
  flush(): string {
    return this.take(this.pending, true);
  }

  private take(text: string, all: boolean): string {
    if (this.forms.length === 0) {
      this.pending = '';
      return text;
    }
    let cut = all ? text.length : Math.max(0, text.length - this.holdBack);
    // never split a surrogate pair between two outputs
    if (cut > 0 && cut < text.length && /[\uD800-\uDBFF]/.test(text[cut - 1]))
      cut -= 1;
    if (cut === 0) {
      // nothing can be given out yet (and what is masked ahead stays masked)
      this.pending = text;
      return '';
    }
    // an occurrence that starts before the cut is whole in `text` (forms are ≤ holdBack + 1 long)
    const spans = secretSpans(text, this.forms, this.maskedAhead);
    let out = '';
    let at = 0;
    let maskedAhead = 0;
    for (const [start, end] of spans) {
      if (start >= cut) break;
      out += text.slice(at, start);
      // a secret already shown as *** before this text continues: no second ***
      if (!(start === 0 && this.maskedAhead > 0)) out += REDACTED;
      at = Math.min(end, cut);
      if (end > cut) maskedAhead = end - cut;
    }
    if (at < cut) out += text.slice(at, cut);
    this.pending = text.slice(cut);
    this.maskedAhead = maskedAhead;
    return out;
  }
}

/** Replaces every secret (and its base64 and URL-encoded forms) in a whole text with `***`. */
export function redactor(secrets: string[]): (text: string) => string {
  return text => {
    const redact = new LogRedactor(secrets);
    return redact.push(text) + redact.flush();
  };
}
