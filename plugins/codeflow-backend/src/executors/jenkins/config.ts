import type { Config } from '@backstage/config';
import { JenkinsClient } from './JenkinsClient';
import { JenkinsExecutor, JenkinsExecutorOptions } from './JenkinsExecutor';

const KEY = 'containerCloud.codeflow.jenkins';

/**
 * The Jenkins executor of `containerCloud.codeflow.jenkins`, undefined when it is not configured.
 * The API token is a secret reference: `credentials` names an entry of
 * `containerCloud.codeflow.credentials` (its `username` and `password`), or `apiToken` is set
 * from the environment (`${JENKINS_TOKEN}`); it is never stored with a codeflow.
 */
export function jenkinsExecutorFromConfig(
  config: Config,
  overrides: Partial<JenkinsExecutorOptions> = {},
): JenkinsExecutor | undefined {
  const jenkins = config.getOptionalConfig(KEY);
  if (!jenkins) return undefined;
  const baseUrl = jenkins.getString('baseUrl');
  let username = jenkins.getOptionalString('username');
  let apiToken = jenkins.getOptionalString('apiToken');
  const reference = jenkins.getOptionalString('credentials');
  if (reference) {
    const credential = (
      config.getOptionalConfigArray('containerCloud.codeflow.credentials') ?? []
    ).find(c => c.getString('name') === reference);
    if (!credential) {
      throw new Error(
        `${KEY}.credentials names ${reference}, which is no entry of containerCloud.codeflow.credentials`,
      );
    }
    username = username ?? credential.getOptionalString('username');
    apiToken = credential.getOptionalString('password');
  }
  if (!username || !apiToken) {
    throw new Error(
      `${KEY} needs a user and an API token: set ${KEY}.username and ${KEY}.apiToken, or ${KEY}.credentials (a name in containerCloud.codeflow.credentials with username and password)`,
    );
  }
  const queueTimeout = jenkins.getOptionalNumber('queueTimeoutSeconds');
  const runTimeout = jenkins.getOptionalNumber('runTimeoutMinutes');
  return new JenkinsExecutor({
    client: new JenkinsClient({ baseUrl, username, apiToken }),
    folder: jenkins.getOptionalString('folder'),
    jobPrefix: jenkins.getOptionalString('jobPrefix'),
    ...(queueTimeout !== undefined
      ? { queueTimeoutMs: queueTimeout * 1000 }
      : {}),
    ...(runTimeout !== undefined ? { runTimeoutMs: runTimeout * 60_000 } : {}),
    ...overrides,
  });
}
