import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import request from 'supertest';
import { LocalGitTestServer } from '../__testUtils__/localGitServer';
import { createPublishLocalGitAction } from './publishLocalGitAction';
// the package as packages/backend adds it: the scaffolder module and the reader
import containerCloudScaffolder from '..';

jest.setTimeout(120_000);

// What catalog:register does after the publish step: add the pushed catalog-info.yaml as a url
// location. The real catalog reads it through LocalGitUrlReader (added to the backend as
// packages/backend would add it), from a git server speaking the local cloud's API.
describe('the catalog reads a repository the publish action pushed', () => {
  const git = new LocalGitTestServer();
  const workspace = mkdtempSync(join(tmpdir(), 'cc-reader-ws-'));

  beforeAll(() => git.start());
  afterAll(async () => {
    await git.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('registers the entity from the catalogInfoUrl the publish action answers', async () => {
    writeFileSync(
      join(workspace, 'catalog-info.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        '  name: hello-reader',
        '  annotations:',
        '    backstage.io/kubernetes-id: hello-reader',
        'spec:',
        '  type: service',
        '  lifecycle: experimental',
        '  owner: group:default/team-payments',
        '',
      ].join('\n'),
    );
    mkdirSync(join(workspace, 'src'));
    writeFileSync(join(workspace, 'src', 'server.js'), '// app\n');
    const server = {
      url: git.url,
      username: git.username,
      password: git.password,
    };
    const outputs: Record<string, any> = {};
    await createPublishLocalGitAction({ server }).handler({
      ...createMockActionContext({
        input: { repoName: 'hello-reader' },
        workspacePath: workspace,
      }),
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
    } as any);

    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        scaffolderPlugin,
        containerCloudScaffolder,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Component'] }],
            },
            containerCloud: {
              codeflow: {
                git: { url: git.url, credentials: 'local-git' },
                credentials: [
                  {
                    name: 'local-git',
                    username: git.username,
                    password: git.password,
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    try {
      // a dry run reads the file at once (catalog:register's own dry run does the same)
      const checked = await request(backend.server)
        .post('/api/catalog/locations?dryRun=true')
        .set('Authorization', mockCredentials.user.header())
        .send({ type: 'url', target: outputs.catalogInfoUrl });
      expect(checked.status).toBe(201);
      expect(checked.body.entities).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'Component',
            metadata: expect.objectContaining({ name: 'hello-reader' }),
          }),
        ]),
      );
      const added = await request(backend.server)
        .post('/api/catalog/locations')
        .set('Authorization', mockCredentials.user.header())
        .send({ type: 'url', target: outputs.catalogInfoUrl });
      expect(added.status).toBe(201);
      // the processed entity, once the catalog has read it again through the reader
      let entity: request.Response | undefined;
      while (entity?.status !== 200) {
        entity = await request(backend.server)
          .get('/api/catalog/entities/by-name/component/default/hello-reader')
          .set('Authorization', mockCredentials.user.header());
        if (entity.status !== 200) await new Promise(r => setTimeout(r, 200));
      }
      expect(entity.body.spec.owner).toBe('group:default/team-payments');
      expect(
        entity.body.metadata.annotations['backstage.io/managed-by-location'],
      ).toBe(`url:${outputs.catalogInfoUrl}`);
    } finally {
      await backend.stop();
    }
  });
});
