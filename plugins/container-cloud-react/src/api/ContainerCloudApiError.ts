/**
 * A Container Cloud backend refused or failed a request. Its message is the backend's own words
 * (which field is wrong, what nginx -t said, that a limit is reached), not a status line.
 * @public
 */
export class ContainerCloudApiError extends Error {
  name = 'ContainerCloudApiError';
  /** the HTTP status */
  readonly status: number;
  /** the body as the backend sent it (Backstage's `{ error, request, response }` shape), if JSON */
  readonly body?: unknown;
  /**
   * With a 409: the resource as it is now (someone changed it since the page loaded it), so the
   * page can show what the user would have overwritten.
   */
  readonly current?: unknown;

  constructor(
    message: string,
    options: { status: number; body?: unknown; current?: unknown },
  ) {
    super(message);
    this.status = options.status;
    this.body = options.body;
    this.current = options.current;
  }

  /** Reads a non-2xx response into an error; the body is consumed. */
  static async fromResponse(
    response: Response,
  ): Promise<ContainerCloudApiError> {
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch {
      // not JSON (a proxy's error page, an empty body): the status line speaks instead
    }
    const said = (body as { error?: { message?: unknown } } | undefined)?.error
      ?.message;
    const message =
      typeof said === 'string' && said
        ? said
        : `Request failed with ${response.status} ${response.statusText}`.trim();
    const current =
      response.status === 409
        ? (body as { current?: unknown } | undefined)?.current
        : undefined;
    return new ContainerCloudApiError(message, {
      status: response.status,
      body,
      current,
    });
  }
}
