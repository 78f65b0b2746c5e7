import { LogRedactor, redactor } from '../../failures';
import type { BuildSink, BuildStep } from '../types';

/**
 * The sink with every log text passed through a streaming redactor per step (a secret split
 * over two chunks of a command's output is still caught): what a step held back is given out
 * when it finishes, at `flushStep` (a command ended: its output is complete), or by `flush()`
 * when the build ends otherwise. `note` writes a line of the executor's own (a command about to
 * run) at once: the step's pending text first, then the line, redacted whole.
 */
export interface RedactingSink extends BuildSink {
  flush(): void;
  flushStep(step: BuildStep): void;
  note(step: BuildStep, text: string): void;
}

export function redactingSink(
  sink: BuildSink,
  secrets: string[],
): RedactingSink {
  const whole = redactor(secrets);
  const redactors = new Map<BuildStep, LogRedactor>();
  const flushStep = (step: BuildStep) => {
    const rest = redactors.get(step)?.flush();
    if (rest) sink.log(step, rest);
  };
  return {
    signal: sink.signal,
    stepStarted: step => sink.stepStarted(step),
    stepFinished: async (step, outcome) => {
      flushStep(step);
      await sink.stepFinished(step, outcome);
    },
    commit: commit => sink.commit(commit),
    log(step, text) {
      let stream = redactors.get(step);
      if (!stream) {
        stream = new LogRedactor(secrets);
        redactors.set(step, stream);
      }
      const out = stream.push(text);
      if (out) sink.log(step, out);
    },
    flush() {
      for (const step of redactors.keys()) flushStep(step);
    },
    flushStep,
    note(step, text) {
      flushStep(step);
      sink.log(step, whole(text));
    },
  };
}
