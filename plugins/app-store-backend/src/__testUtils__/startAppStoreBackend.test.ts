import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startAppStoreBackend, ALICE } from './startAppStoreBackend';

jest.setTimeout(120_000);

describe('startAppStoreBackend', () => {
  it('serves the app store plugin with the catalog and the policy', async () => {
    const backend = await startAppStoreBackend({ clusters: [], appStore: {} });
    try {
      const doc = await request(backend.server).get(
        '/api/app-store/openapi.json',
      );
      expect(doc.status).toBe(200);
      expect(doc.body.info.title).toBe('Container Cloud app store');
      const group = await request(backend.server)
        .get('/api/catalog/entities/by-name/group/default/team-payments')
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(group.status).toBe(200);
    } finally {
      await backend.stop();
    }
  });
});
