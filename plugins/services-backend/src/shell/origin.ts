import type { RootConfigService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type express from 'express';

/**
 * The origins a browser may open shells from: the portal's own (`app.baseUrl`) and the exact
 * origins `backend.cors.origin` lists (patterns are left out: a shell is not for every subdomain).
 */
export function shellOrigins(config: RootConfigService): string[] {
  const origins = new Set<string>();
  const app = config.getOptionalString('app.baseUrl');
  if (app) origins.add(new URL(app).origin);
  const cors = config.getOptional<string | string[]>('backend.cors.origin');
  for (const origin of [cors ?? []].flat()) {
    if (typeof origin === 'string' && !/[*?{}]/.test(origin))
      origins.add(origin);
  }
  return [...origins];
}

/**
 * Refuses a browser request that comes from a page of another site. Requests without an Origin
 * header (same-origin GETs, command-line clients with a token) carry no such risk and pass.
 */
export function requireOrigin(allowed: string[]): express.RequestHandler {
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin && !allowed.includes(origin)) {
      next(
        new NotAllowedError(
          `shells and container files open only from the portal's own pages; this request came from ${origin}`,
        ),
      );
      return;
    }
    next();
  };
}
