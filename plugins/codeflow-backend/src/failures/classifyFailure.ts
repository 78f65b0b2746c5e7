import type { CodeflowFailureKind } from '@internal/plugin-container-cloud-common';

/** Why a step failed: a kind the page words, and a reason naming what was recognised. */
export interface FailureClassification {
  kind: CodeflowFailureKind;
  reason: string;
}

/** Recognises one tool's failure in a step's last lines, or says nothing. */
type Recogniser = (text: string, lines: string[]) => string | undefined;

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n} ${n === 1 ? one : many}`;

/** The last number a pattern captures in the text (summaries come last). */
function lastCount(text: string, pattern: RegExp): number | undefined {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  let found: number | undefined;
  for (const match of text.matchAll(global)) found = Number(match[1]);
  return found;
}

const countLines = (lines: string[], pattern: RegExp) =>
  lines.filter(line => pattern.test(line)).length;

/** "the compiler found 2 errors (tsc)" */
const compilerFound = (n: number | undefined, tool: string) =>
  n && n > 0
    ? `the compiler found ${plural(n, 'error')} (${tool})`
    : `the compiler failed (${tool})`;

const testsFailed = (n: number, tool: string) =>
  `${plural(n, 'test')} failed (${tool})`;

// Compilers, most specific first: Gradle and Maven print javac's lines too, go test prints go's.
const compileErrors: Recogniser[] = [
  (text, lines) =>
    /error TS\d+:/.test(text)
      ? compilerFound(countLines(lines, /error TS\d+:/), 'tsc')
      : undefined,
  text =>
    /COMPILATION ERROR/.test(text)
      ? compilerFound(lastCount(text, /^\[INFO\] (\d+) errors?\s*$/m), 'Maven')
      : undefined,
  text =>
    /Compilation failed/.test(text)
      ? compilerFound(lastCount(text, /^(\d+) errors?\s*$/m), 'Gradle')
      : undefined,
  (text, lines) =>
    /^\S+\.java:\d+: error: /m.test(text)
      ? compilerFound(
          lastCount(text, /^(\d+) errors?\s*$/m) ??
            countLines(lines, /^\S+\.java:\d+: error: /),
          'javac',
        )
      : undefined,
  (text, lines) => {
    const goErrors = countLines(lines, /^\.{0,2}\/?[\w./-]*\.go:\d+:\d+: /);
    return goErrors > 0 &&
      (/^# \S+/m.test(text) || /\[build failed\]/.test(text))
      ? compilerFound(goErrors, 'go')
      : undefined;
  },
  text => {
    const syntax = /^(\w*Error): (.*)$/m.exec(text);
    if (!syntax || !/^(SyntaxError|IndentationError|TabError)$/.test(syntax[1]))
      return undefined;
    const where = /File "([^"]+)", line (\d+)/.exec(text);
    const file = where
      ? ` in ${where[1].split('/').pop()} line ${where[2]}`
      : '';
    return `Python found a syntax error${file} (${
      syntax[1]
    }: ${syntax[2].trim()})`;
  },
];

const testFailures: Recogniser[] = [
  // node --test: TAP (`# fail 1`) and spec (`ℹ fail 1`) reporters
  text => {
    const n = lastCount(text, /^(?:#|ℹ) fail (\d+)\s*$/m);
    return n ? testsFailed(n, 'node --test') : undefined;
  },
  text => {
    const n = lastCount(text, /^Tests:\s+(\d+) failed/m);
    return n ? testsFailed(n, 'Jest') : undefined;
  },
  text => {
    const summaries = [
      ...text.matchAll(/Tests run: \d+, Failures: (\d+), Errors: (\d+)/g),
    ];
    const last = summaries[summaries.length - 1];
    const n = last ? Number(last[1]) + Number(last[2]) : 0;
    return n ? testsFailed(n, 'Maven Surefire') : undefined;
  },
  text => {
    const n = lastCount(text, /^\d+ tests? completed, (\d+) failed/m);
    return n ? testsFailed(n, 'Gradle') : undefined;
  },
  text => {
    const n = lastCount(
      text,
      /^(?:=+ )?(\d+) failed(?:, \d+ \w+)*(?: in [\d.]+m?s)?(?: =+)?\s*$/m,
    );
    return n ? testsFailed(n, 'pytest') : undefined;
  },
  (text, lines) => {
    const failed = countLines(lines, /^\s*--- FAIL: /);
    if (failed > 0) return testsFailed(failed, 'go test');
    return /^FAIL\t\S+/m.test(text) ? 'the tests failed (go test)' : undefined;
  },
];

// git's words for a fetch that could not happen
const fetchFailures: Recogniser[] = [
  text => {
    const m = /Authentication failed for '([^']+)'/.exec(text);
    return m
      ? `the git host refused the credentials (Authentication failed for ${m[1]})`
      : undefined;
  },
  text => {
    const m = /could not read (?:Username|Password) for '([^']+)'/.exec(text);
    return m
      ? `the git host asked for credentials and none were given (${m[1]}): name the repository's credentials in the codeflow`
      : undefined;
  },
  text => {
    const m =
      /repository '([^']+)' not found/.exec(text) ??
      /(Repository not found)/.exec(text);
    return m
      ? `the repository was not found${
          m[1] === 'Repository not found' ? '' : ` (${m[1]})`
        }: check its URL, and that the credentials may read it`
      : undefined;
  },
  text => {
    const m = /couldn't find remote ref (\S+)/.exec(text);
    return m
      ? `the repository has no ${m[1]} (couldn't find remote ref)`
      : undefined;
  },
  text => {
    const m = /Could not resolve host: ([^\s']+)/.exec(text);
    return m
      ? `the git host ${m[1]} could not be found (DNS: Could not resolve host)`
      : undefined;
  },
  text => {
    const m =
      /Failed to connect to (\S+) port (\d+)/.exec(text) ??
      /connect to ([\w.-]+):(\d+)[^\n]*Connection refused/.exec(text);
    if (m) return `the git host ${m[1]}:${m[2]} refused the connection`;
    return /Connection refused|Couldn't connect to server/.test(text)
      ? 'the git host refused the connection'
      : undefined;
  },
];

// a registry refusing a push (buildah, BuildKit, docker)
function pushRefusal(text: string): string | undefined {
  if (/\b401\b|\bunauthorized\b|authentication required/i.test(text)) {
    return 'the registry refused the push (401 unauthorized): check the registry credentials';
  }
  if (/\b403\b|\bdenied\b|\bforbidden\b/i.test(text)) {
    const words = /denied: ([^\n]*)/.exec(text)?.[1]?.trim();
    return `the registry refused the push (403 denied${
      words ? `: ${words}` : ''
    }): the credentials may not write to this repository`;
  }
  return undefined;
}

function outOfMemory(text: string): boolean {
  return (
    /(?:^|\s)Killed(?:\s|$)/m.test(text) ||
    /\b(?:exit(?: code| status)?|returned exit code) 137\b/.test(text) ||
    /OOMKilled/.test(text) ||
    // buildah's chroot runner, and Go's exec, on a process killed by SIGKILL
    /\bsubprocess exited on killed\b|\bsignal: killed\b/.test(text) ||
    /JavaScript heap out of memory|java\.lang\.OutOfMemoryError/.test(text)
  );
}

/** npm's script failure: which script, and the last line saying why. */
function npmScript(text: string, lines: string[]): string | undefined {
  const script =
    /Failed at the \S+ (\S+) script/.exec(text)?.[1] ??
    /Lifecycle script `([^`]+)` failed/.exec(text)?.[1] ??
    (/^npm (?:ERR!|error) /m.test(text) || /^> \S+@\S+ \S+/m.test(text)
      ? /^> \S+@\S+ (\S+)/m.exec(text)?.[1]
      : undefined);
  if (!script && !/^npm (?:ERR!|error) /m.test(text)) return undefined;
  const own = lines.filter(
    l =>
      l.trim() &&
      !/^npm (?:ERR!|error)/.test(l) &&
      !/^> /.test(l) &&
      !/^\s+at /.test(l),
  );
  const cause = (
    own.filter(l => /\b(?:Error|error|not found)\b/.test(l)).pop() ?? own.pop()
  )?.trim();
  const said = cause ? `: ${cause.slice(0, 200)}` : '';
  return script
    ? `the npm script ${script} failed (npm run ${script})${said}`
    : `an npm command failed (npm ERR!)${said}`;
}

/** The last line worth showing: not empty, not a stack frame, at most 200 characters. */
function lastWords(lines: string[]): string | undefined {
  const line = [...lines]
    .reverse()
    .map(l => l.trim())
    .find(l => l && !/^at /.test(l) && !/^[-=_*]+$/.test(l));
  return line && line.length > 200 ? `${line.slice(0, 197)}…` : line;
}

const first = (recognisers: Recogniser[], text: string, lines: string[]) => {
  for (const recognise of recognisers) {
    const reason = recognise(text, lines);
    if (reason) return reason;
  }
  return undefined;
};

/**
 * Why a step failed, in plain words, from its last log lines: a fetch git could not do (the
 * credentials refused or missing, no such repository or ref, the host unknown or refusing), a
 * push the registry refused (401 / 403), the compiler's errors (tsc, javac, Maven, Gradle, go,
 * Python), failed tests (node --test, Jest, Maven Surefire, Gradle, pytest, go test), a process
 * killed for memory (exit 137), an npm script; else `other` with the step's last words. The
 * reason names what was recognised: "3 tests failed (node --test)".
 */
export function classifyFailure(
  step: string,
  lastLines: string[],
): FailureClassification {
  const lines = lastLines.flatMap(l => l.split(/\r?\n/));
  const text = lines.join('\n');
  const words = lastWords(lines);
  const said = words ? `: ${words}` : '';

  if (step === 'fetch') {
    return {
      kind: 'fetch-failed',
      reason:
        first(fetchFailures, text, lines) ??
        `the code could not be fetched${said}`,
    };
  }
  if (step === 'push') {
    const refusal = pushRefusal(text);
    if (refusal) return { kind: 'push-denied', reason: refusal };
    return { kind: 'other', reason: `the push step failed${said}` };
  }
  const compiled = first(compileErrors, text, lines);
  if (compiled) return { kind: 'compile-error', reason: compiled };
  const tested = first(testFailures, text, lines);
  if (tested) return { kind: 'test-failure', reason: tested };
  if (outOfMemory(text)) {
    return {
      kind: 'build-failed',
      reason: `the ${step} step was killed, most likely out of memory (SIGKILL, exit 137); give the build more memory`,
    };
  }
  const npm = npmScript(text, lines);
  if (npm) return { kind: 'build-failed', reason: npm };
  return { kind: 'other', reason: `the ${step} step failed${said}` };
}
