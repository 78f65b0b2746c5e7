import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a build of a job does in the fake: its log in chunks, then its result. */
export interface FakeScenario {
  /** how many reads of the queue item answer "waiting" before it gets an executable */
  queuePolls?: number;
  /** the queue item is cancelled instead of getting an executable */
  cancelledInQueue?: boolean;
  /** the console text, one chunk per progressiveText read */
  chunks: string[];
  /** the result once the chunks are written */
  result: 'SUCCESS' | 'FAILURE' | 'UNSTABLE';
  /** keeps building (X-More-Data: true) until stopped */
  hang?: boolean;
}

interface FakeBuild {
  number: number;
  parameters: Record<string, string>;
  scenario: FakeScenario;
  written: number; // chunks written so far
  log: string;
  result: string | null;
}

interface FakeQueueItem {
  id: number;
  job: string;
  polls: number;
  build?: FakeBuild;
  cancelled: boolean;
  parameters: Record<string, string>;
}

/**
 * A loopback server speaking Jenkins' wire format, as far as the executor uses it, with its
 * quirks: basic auth with an API token; a crumb (`/crumbIssuer/api/json`) required on every POST,
 * valid only with the session cookie it was issued with, and expirable (`expireCrumbs`); jobs
 * created from `config.xml` (`/createItem?name=`) and updated (`/job/<n>/config.xml`);
 * `buildWithParameters` answering 201 with an empty body and the queue item in `Location`; queue
 * items that wait, then get an executable (or are cancelled); progressive console text in chunks
 * with `X-Text-Size` and `X-More-Data: true` until the build ends; results; `/stop` answering a
 * redirect, as Jenkins does.
 */
export class FakeJenkins {
  readonly jobs = new Map<string, { config: string; builds: FakeBuild[] }>();
  readonly requests: string[] = [];
  private readonly scenarios = new Map<string, FakeScenario[]>();
  private readonly queue = new Map<number, FakeQueueItem>();
  private readonly sessions = new Map<string, string>(); // session id → crumb
  private nextQueueId = 100;
  private server?: http.Server;
  url = '';

  constructor(
    readonly username = 'codeflow-bot',
    readonly apiToken = `11${randomBytes(15).toString('hex')}`,
  ) {}

  /** What the next builds of a job do, in order. */
  script(job: string, ...scenarios: FakeScenario[]) {
    this.scenarios.set(job, [...(this.scenarios.get(job) ?? []), ...scenarios]);
  }

  /** Every crumb issued so far stops working (as when Jenkins restarts or the session expires). */
  expireCrumbs() {
    this.sessions.clear();
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        try {
          this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      });
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', () => resolve()),
    );
    this.url = `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }/`;
    return this.url;
  }

  async stop() {
    await new Promise(resolve => this.server?.close(resolve));
  }

  private handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
  ) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    this.requests.push(`${req.method} ${path}${url.search}`);
    const expected = `Basic ${Buffer.from(
      `${this.username}:${this.apiToken}`,
    ).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Jenkins"' }).end();
      return;
    }
    if (req.method === 'GET' && path === '/crumbIssuer/api/json') {
      const session = randomBytes(8).toString('hex');
      const crumb = randomBytes(16).toString('hex');
      this.sessions.set(session, crumb);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Set-Cookie': `JSESSIONID.fake=${session}; Path=/; HttpOnly`,
      });
      res.end(
        JSON.stringify({
          _class: 'hudson.security.csrf.DefaultCrumbIssuer',
          crumb,
          crumbRequestField: 'Jenkins-Crumb',
        }),
      );
      return;
    }
    if (req.method === 'POST') {
      const session = /JSESSIONID\.fake=([0-9a-f]+)/.exec(
        req.headers.cookie ?? '',
      )?.[1];
      const crumb = session ? this.sessions.get(session) : undefined;
      if (!crumb || req.headers['jenkins-crumb'] !== crumb) {
        res
          .writeHead(403, { 'Content-Type': 'text/html' })
          .end(
            '<html><body>HTTP ERROR 403 No valid crumb was included in the request</body></html>',
          );
        return;
      }
    }
    this.route(req.method ?? 'GET', path, url, req, res, body);
  }

  private route(
    method: string,
    path: string,
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
  ) {
    const json = (
      status: number,
      value: unknown,
      headers: Record<string, string> = {},
    ) => {
      res
        .writeHead(status, { 'Content-Type': 'application/json', ...headers })
        .end(JSON.stringify(value));
    };
    if (method === 'POST' && path === '/createItem') {
      const name = url.searchParams.get('name') ?? '';
      if (this.jobs.has(name)) {
        res.writeHead(400).end(`A job already exists with the name ‘${name}’`);
        return;
      }
      if (!String(req.headers['content-type']).startsWith('application/xml')) {
        res.writeHead(415).end();
        return;
      }
      this.jobs.set(name, { config: body, builds: [] });
      res.writeHead(200).end();
      return;
    }
    const queue = /^\/queue\/item\/(\d+)\/api\/json$/.exec(path);
    if (method === 'GET' && queue) {
      const item = this.queue.get(Number(queue[1]));
      if (item) json(200, this.queueItemView(item));
      else json(404, {});
      return;
    }
    if (method === 'POST' && path === '/queue/cancelItem') {
      const item = this.queue.get(Number(url.searchParams.get('id')));
      if (item && !item.build) item.cancelled = true;
      res.writeHead(302, { Location: `${this.url}queue/` }).end();
      return;
    }
    const job = /^\/job\/([^/]+)(\/.*)?$/.exec(path);
    if (!job) {
      res.writeHead(404).end();
      return;
    }
    const name = decodeURIComponent(job[1]);
    const rest = job[2] ?? '/';
    const found = this.jobs.get(name);
    if (!found) {
      res
        .writeHead(404, { 'Content-Type': 'text/html' })
        .end('<html>Not Found</html>');
      return;
    }
    if (method === 'GET' && rest === '/api/json') {
      json(200, { name });
      return;
    }
    if (rest === '/config.xml') {
      if (method === 'GET') {
        res
          .writeHead(200, { 'Content-Type': 'application/xml' })
          .end(found.config);
      } else {
        found.config = body;
        res.writeHead(200).end();
      }
      return;
    }
    if (method === 'POST' && rest === '/buildWithParameters') {
      const parameters = Object.fromEntries(new URLSearchParams(body));
      const id = this.nextQueueId++;
      this.queue.set(id, {
        id,
        job: name,
        polls: 0,
        cancelled: false,
        parameters,
      });
      // Jenkins' quirk: 201 Created, no body, the queue item in Location
      res
        .writeHead(201, {
          Location: `${this.url}queue/item/${id}/`,
          'Content-Length': '0',
        })
        .end();
      return;
    }
    const build = /^\/(\d+)(\/.*)$/.exec(rest);
    const b = build
      ? found.builds.find(x => x.number === Number(build[1]))
      : undefined;
    if (!build || !b) {
      res.writeHead(404).end();
      return;
    }
    if (method === 'GET' && build[2] === '/api/json') {
      json(200, {
        number: b.number,
        building: b.result === null,
        result: b.result,
      });
      return;
    }
    if (method === 'GET' && build[2] === '/logText/progressiveText') {
      const start = Number(url.searchParams.get('start') ?? 0);
      // one more chunk per read; the read after the last one finds the build finished
      if (b.result === null && b.written < b.scenario.chunks.length) {
        b.log += b.scenario.chunks[b.written++];
      } else if (b.result === null && !b.scenario.hang) {
        b.result = b.scenario.result;
        b.log += `Finished: ${b.result}\n`;
      }
      const bytes = Buffer.from(b.log);
      const text = bytes.subarray(Math.min(start, bytes.length));
      res.writeHead(200, {
        'Content-Type': 'text/plain;charset=utf-8',
        'X-Text-Size': String(bytes.length),
        ...(b.result === null ? { 'X-More-Data': 'true' } : {}),
      });
      res.end(text);
      return;
    }
    if (method === 'POST' && build[2] === '/stop') {
      if (b.result === null) {
        b.result = 'ABORTED';
        b.log += 'Aborted by codeflow-bot\nFinished: ABORTED\n';
      }
      res
        .writeHead(302, { Location: `${this.url}job/${name}/${b.number}/` })
        .end();
      return;
    }
    res.writeHead(404).end();
  }

  private queueItemView(item: FakeQueueItem) {
    const scenario = this.nextScenario(item);
    if (scenario.cancelledInQueue && !item.cancelled) {
      item.cancelled = true;
      this.scenarios.get(item.job)?.shift();
    }
    if (item.cancelled) {
      return {
        _class: 'hudson.model.Queue$CancelledItem',
        id: item.id,
        cancelled: true,
      };
    }
    if (!item.build && item.polls++ >= (scenario.queuePolls ?? 0)) {
      const job = this.jobs.get(item.job)!;
      item.build = {
        number: job.builds.length + 1,
        parameters: item.parameters,
        scenario,
        written: 0,
        log: 'Started by user codeflow-bot\n',
        result: null,
      };
      job.builds.push(item.build);
      this.scenarios.get(item.job)?.shift();
    }
    if (!item.build) {
      return {
        _class: 'hudson.model.Queue$WaitingItem',
        id: item.id,
        blocked: false,
        buildable: true,
        why: 'Waiting for next available executor',
      };
    }
    return {
      _class: 'hudson.model.Queue$LeftItem',
      id: item.id,
      cancelled: false,
      executable: {
        _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun',
        number: item.build.number,
        url: `${this.url}job/${item.job}/${item.build.number}/`,
      },
    };
  }

  private nextScenario(item: FakeQueueItem): FakeScenario {
    if (item.build) return item.build.scenario;
    if (item.cancelled)
      return { chunks: [], result: 'FAILURE', cancelledInQueue: true };
    const next = this.scenarios.get(item.job)?.[0];
    if (!next) throw new Error(`no scenario scripted for ${item.job}`);
    return next;
  }
}
