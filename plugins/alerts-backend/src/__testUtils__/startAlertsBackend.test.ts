import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startAlertsBackend } from './startAlertsBackend';

jest.setTimeout(120_000);

describe('startAlertsBackend', () => {
  it('serves the alerts plugin with the catalog and the policy', async () => {
    const backend = await startAlertsBackend({});
    try {
      const doc = await request(backend.server).get('/api/alerts/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.info.title).toBe('Container Cloud alerts');
      const entity = await request(backend.server)
        .get('/api/catalog/entities/by-name/component/default/orders-api')
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(entity.status).toBe(200);
    } finally {
      await backend.stop();
    }
  });
});
