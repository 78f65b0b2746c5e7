import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startCodeflowBackend } from './startCodeflowBackend';

jest.setTimeout(120_000);

describe('startCodeflowBackend', () => {
  it('serves the codeflow plugin with the catalog and the policy', async () => {
    const backend = await startCodeflowBackend();
    try {
      const doc = await request(backend.server).get(
        '/api/codeflow/openapi.json',
      );
      expect(doc.status).toBe(200);
      expect(doc.body.info.title).toBe('Container Cloud codeflows');
      const entity = await request(backend.server)
        .get('/api/catalog/entities/by-name/component/default/orders-api')
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(entity.status).toBe(200);
    } finally {
      await backend.stop();
    }
  });
});
