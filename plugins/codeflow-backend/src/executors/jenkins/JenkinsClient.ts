/** How to reach Jenkins: its URL and a user's API token (basic auth). */
export interface JenkinsConnection {
  /** e.g. https://jenkins.example.com/ (a Jenkins under a path keeps it: https://ci.example.com/jenkins/) */
  baseUrl: string;
  username: string;
  apiToken: string;
}

/** A Jenkins answer that was not what the call needed, in words. */
export class JenkinsError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'JenkinsError';
  }
}

/** A queue item as Jenkins reports it (the fields used here). */
export interface JenkinsQueueItem {
  cancelled?: boolean;
  why?: string | null;
  executable?: { number: number; url?: string } | null;
}

/** A build as Jenkins reports it (the fields used here). */
export interface JenkinsBuild {
  number: number;
  building: boolean;
  /** null while building; SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT once done */
  result: string | null;
}

interface Crumb {
  field: string;
  value: string;
  /** the session cookie the crumb belongs to (Jenkins ties a crumb to its session) */
  cookie?: string;
}

/** `/job/a/job/b` of a job name `a/b` (folders), each segment URL-encoded. */
export function jobPath(name: string): string {
  return name
    .split('/')
    .map(segment => `/job/${encodeURIComponent(segment)}`)
    .join('');
}

/**
 * A client of Jenkins' REST API for one user: crumbs (fetched once, with the session cookie they
 * belong to, refetched once when Jenkins says one expired), pipeline jobs from `config.xml`,
 * builds with parameters, queue items, progressive console text, results and stops. Every
 * failure is a JenkinsError naming what was asked and what Jenkins answered.
 */
export class JenkinsClient {
  private crumb: Crumb | null | undefined;
  private readonly base: string;
  private readonly authorization: string;

  constructor(
    private readonly connection: JenkinsConnection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.base = connection.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(
      `${connection.username}:${connection.apiToken}`,
    ).toString('base64')}`;
  }

  /** Creates the job from `config.xml`, or replaces the configuration of the job of that name. */
  async putJob(
    name: string,
    configXml: string,
  ): Promise<'created' | 'updated'> {
    const existing = await this.request(
      'GET',
      `${jobPath(name)}/api/json?tree=name`,
      {
        what: `read job ${name}`,
        allow404: true,
      },
    );
    if (existing.status === 404) {
      const slash = name.lastIndexOf('/');
      const folder = slash < 0 ? '' : jobPath(name.slice(0, slash));
      const leaf = slash < 0 ? name : name.slice(slash + 1);
      await this.post(
        `${folder}/createItem?name=${encodeURIComponent(leaf)}`,
        `create job ${name}`,
        { body: configXml, contentType: 'application/xml; charset=utf-8' },
      );
      return 'created';
    }
    await this.post(`${jobPath(name)}/config.xml`, `update job ${name}`, {
      body: configXml,
      contentType: 'application/xml; charset=utf-8',
    });
    return 'updated';
  }

  /**
   * Queues a build with parameters: Jenkins answers 201 without a body and the queue item's URL
   * in `Location`; resolves with the queue item's number.
   */
  async buildWithParameters(
    name: string,
    parameters: Record<string, string>,
  ): Promise<number> {
    const res = await this.post(
      `${jobPath(name)}/buildWithParameters`,
      `start a build of ${name}`,
      {
        body: new URLSearchParams(parameters).toString(),
        contentType: 'application/x-www-form-urlencoded',
      },
    );
    const location = res.headers.get('location') ?? '';
    const match = /\/queue\/item\/(\d+)\/?$/.exec(location);
    if (!match) {
      throw new JenkinsError(
        `Jenkins queued a build of ${name} but named no queue item (Location: ${
          location || 'none'
        })`,
        res.status,
      );
    }
    return Number(match[1]);
  }

  async queueItem(id: number): Promise<JenkinsQueueItem> {
    const res = await this.request('GET', `/queue/item/${id}/api/json`, {
      what: `read queue item ${id}`,
    });
    return (await res.json()) as JenkinsQueueItem;
  }

  async cancelQueueItem(id: number): Promise<void> {
    await this.post(`/queue/cancelItem?id=${id}`, `cancel queue item ${id}`);
  }

  async build(name: string, number: number): Promise<JenkinsBuild> {
    const res = await this.request(
      'GET',
      `${jobPath(name)}/${number}/api/json?tree=number,building,result`,
      { what: `read build ${name} #${number}` },
    );
    return (await res.json()) as JenkinsBuild;
  }

  /**
   * The console text from `start`: `X-Text-Size` is where the next read starts, `X-More-Data:
   * true` while the build may still write more.
   */
  async progressiveText(
    name: string,
    number: number,
    start: number,
  ): Promise<{ text: string; size: number; more: boolean }> {
    const res = await this.request(
      'GET',
      `${jobPath(name)}/${number}/logText/progressiveText?start=${start}`,
      { what: `read the log of ${name} #${number}` },
    );
    const text = await res.text();
    const size = Number(res.headers.get('x-text-size'));
    return {
      text,
      size:
        Number.isFinite(size) && size >= start
          ? size
          : start + Buffer.byteLength(text),
      more: res.headers.get('x-more-data') === 'true',
    };
  }

  async stop(name: string, number: number): Promise<void> {
    await this.post(
      `${jobPath(name)}/${number}/stop`,
      `stop ${name} #${number}`,
    );
  }

  private async post(
    path: string,
    what: string,
    options: { body?: string; contentType?: string } = {},
  ): Promise<Response> {
    return this.request('POST', path, { ...options, what, crumb: true });
  }

  private async fetchCrumb(): Promise<Crumb | null> {
    const res = await this.request('GET', '/crumbIssuer/api/json', {
      what: 'get a crumb',
      allow404: true,
    });
    // no crumb issuer: CSRF protection is off, POSTs need no crumb
    if (res.status === 404) return null;
    const body = (await res.json()) as {
      crumb?: string;
      crumbRequestField?: string;
    };
    if (!body.crumb || !body.crumbRequestField) {
      throw new JenkinsError(
        'Jenkins answered its crumb issuer without a crumb',
      );
    }
    const cookies = res.headers.getSetCookie?.() ?? [];
    const cookie = cookies.map(c => c.split(';')[0]).join('; ');
    return {
      field: body.crumbRequestField,
      value: body.crumb,
      ...(cookie ? { cookie } : {}),
    };
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    options: {
      what: string;
      body?: string;
      contentType?: string;
      crumb?: boolean;
      allow404?: boolean;
    },
    retriedCrumb = false,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: this.authorization,
    };
    if (options.contentType) headers['Content-Type'] = options.contentType;
    if (options.crumb) {
      if (this.crumb === undefined) this.crumb = await this.fetchCrumb();
      if (this.crumb) {
        headers[this.crumb.field] = this.crumb.value;
        if (this.crumb.cookie) headers.Cookie = this.crumb.cookie;
      }
    }
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        body: options.body,
        // Jenkins answers a stop or a cancel with a redirect to a page: the answer is enough
        redirect: 'manual',
      });
    } catch (error) {
      throw new JenkinsError(
        `Jenkins at ${this.connection.baseUrl} did not answer (${
          options.what
        }): ${(error as Error).message}`,
      );
    }
    if (res.status === 404 && options.allow404) return res;
    if (res.ok || (res.status >= 300 && res.status < 400)) return res;
    const text = (await res.text().catch(() => '')).slice(0, 2000);
    if (
      res.status === 403 &&
      options.crumb &&
      /crumb/i.test(text) &&
      !retriedCrumb
    ) {
      // crumbs expire with their session: one more try with a new one
      this.crumb = await this.fetchCrumb();
      return this.request(method, path, options, true);
    }
    throw new JenkinsError(
      this.explain(res.status, options.what, text),
      res.status,
    );
  }

  private explain(status: number, what: string, text: string): string {
    switch (status) {
      case 401:
        return `Jenkins refused the user ${this.connection.username} (401) to ${what}: check the user name and API token`;
      case 403:
        return /crumb/i.test(text)
          ? `Jenkins refused the crumb twice (403) to ${what}`
          : `the Jenkins user ${this.connection.username} may not ${what} (403)`;
      case 404:
        return `Jenkins has nothing there (404) to ${what}: is the job missing?`;
      default: {
        const detail = text
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 300);
        return `Jenkins answered ${status} to ${what}${
          detail ? `: ${detail}` : ''
        }`;
      }
    }
  }
}
