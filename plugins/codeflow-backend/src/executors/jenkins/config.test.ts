import { ConfigReader } from '@backstage/config';
import { FakeJenkins } from './__testUtils__/fakeJenkins';
import { jenkinsExecutorFromConfig } from './config';

describe('jenkinsExecutorFromConfig', () => {
  it('is off without containerCloud.codeflow.jenkins', () => {
    expect(jenkinsExecutorFromConfig(new ConfigReader({}))).toBeUndefined();
  });

  it('takes the API token from a credentials reference, and reaches Jenkins with it', async () => {
    const jenkins = new FakeJenkins();
    await jenkins.start();
    try {
      jenkins.script('ci/codeflow-cf-1', { chunks: [], result: 'SUCCESS' });
      const executor = jenkinsExecutorFromConfig(
        new ConfigReader({
          containerCloud: {
            codeflow: {
              credentials: [
                {
                  name: 'jenkins-bot',
                  username: jenkins.username,
                  password: jenkins.apiToken,
                },
              ],
              jenkins: {
                baseUrl: jenkins.url,
                credentials: 'jenkins-bot',
                folder: 'ci',
              },
            },
          },
        }),
        { sleep: async () => {} },
      )!;
      expect(executor.jobName('cf-1')).toBe('ci/codeflow-cf-1');
      // the fake has no folders: the job's creation is asked in the folder
      await expect(
        executor.start({
          runId: 'r',
          codeflowId: 'cf-1',
          stages: [],
          parameters: {},
        }),
      ).rejects.toThrow(
        'Jenkins has nothing there (404) to create job ci/codeflow-cf-1',
      );
      expect(jenkins.requests).toContain(
        'POST /job/ci/createItem?name=codeflow-cf-1',
      );
    } finally {
      await jenkins.stop();
    }
  });

  it('names the key to set when the token or its reference is missing', () => {
    expect(() =>
      jenkinsExecutorFromConfig(
        new ConfigReader({
          containerCloud: {
            codeflow: { jenkins: { baseUrl: 'http://j', credentials: 'nope' } },
          },
        }),
      ),
    ).toThrow(
      'containerCloud.codeflow.jenkins.credentials names nope, which is no entry of containerCloud.codeflow.credentials',
    );
    expect(() =>
      jenkinsExecutorFromConfig(
        new ConfigReader({
          containerCloud: {
            codeflow: { jenkins: { baseUrl: 'http://j', username: 'u' } },
          },
        }),
      ),
    ).toThrow('containerCloud.codeflow.jenkins needs a user and an API token');
  });
});
