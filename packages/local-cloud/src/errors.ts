/**
 * A failure that local-cloud explains in one line: what failed, and where its log is. The CLI
 * prints only the message; tests and callers can read the component and log.
 *
 * @public
 */
export class LocalCloudError extends Error {
  readonly component?: string;
  readonly log?: string;

  constructor(
    message: string,
    details: { component?: string; log?: string } = {},
  ) {
    super(message);
    this.name = 'LocalCloudError';
    this.component = details.component;
    this.log = details.log;
  }
}
