import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { requireOrigin, shellOrigins } from './origin';

describe('shell origins', () => {
  it('takes the app origin and the exact CORS origins, not the patterns', () => {
    const config = mockServices.rootConfig({
      data: {
        app: { baseUrl: 'https://portal.example.com/some/path' },
        backend: {
          cors: {
            origin: ['https://dev.portal.example.com', 'https://*.example.com'],
          },
        },
      },
    });
    expect(shellOrigins(config)).toEqual([
      'https://portal.example.com',
      'https://dev.portal.example.com',
    ]);
    expect(shellOrigins(mockServices.rootConfig())).toEqual([]);
  });

  it('lets the portal and origin-less clients through, and refuses other sites', async () => {
    const app = express();
    app.use(requireOrigin(['https://portal.example.com']));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    app.use(
      (
        error: Error,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res.status(403).send(error.message);
      },
    );
    expect((await request(app).get('/')).status).toBe(200);
    const own = await request(app)
      .get('/')
      .set('Origin', 'https://portal.example.com');
    expect(own.status).toBe(200);
    const other = await request(app)
      .get('/')
      .set('Origin', 'https://evil.example');
    expect(other.status).toBe(403);
    expect(other.text).toContain('this request came from https://evil.example');
  });
});
