import type express from 'express';
import {
  SecretBox,
  type OpenApiDocument,
  type RouteGroup,
} from '@internal/plugin-container-cloud-node';
import type { CodeflowDeps } from '../deps';
import { CodeflowStore } from '../definitions/CodeflowStore';
import { storedCodeflowTargets } from './codeflowTargets';
import { webhookOpenApiPaths } from './openapi';
import {
  DEFAULT_MAX_WEBHOOK_BYTES,
  webhookRouter,
  WEBHOOKS_PATH,
} from './router';
import { webhookRoutes } from './routes';
import { WEBHOOK_KEY_CONFIG, WebhookReceiver } from './WebhookReceiver';
import { WebhookStore } from './WebhookStore';
import type { WebhookTargets } from './WebhookTargets';

export { WEBHOOKS_PATH } from './router';
export type { WebhookTarget, WebhookTargets } from './WebhookTargets';

/** The webhooks part of the codeflow backend: its route group, its own router, their docs. */
export interface WebhookPart {
  /** secret, status and deliveries: routes of the pipeline (a Backstage token each) */
  group: RouteGroup;
  /** `POST /webhooks/<provider>/:codeflowId`, served without a Backstage token */
  router: express.Router;
  /** the webhook endpoints in the plugin's OpenAPI document */
  documentedPaths: OpenApiDocument['paths'];
}

/**
 * The webhooks part, from the plugin's parts (`containerCloud.codeflow.webhooks.*`); `targets`
 * finds codeflows (default: the codeflows the definitions part stores).
 */
export function webhookPart(
  deps: CodeflowDeps,
  targets: WebhookTargets = storedCodeflowTargets({
    codeflows: new CodeflowStore(deps.knex),
    catalog: deps.catalog,
    auth: deps.auth,
  }),
): WebhookPart {
  const store = new WebhookStore(deps.knex);
  const box = SecretBox.fromConfig(deps.config, WEBHOOK_KEY_CONFIG);
  const maxBodyBytes =
    deps.config.getOptionalNumber(
      'containerCloud.codeflow.webhooks.maxBodyBytes',
    ) ?? DEFAULT_MAX_WEBHOOK_BYTES;
  const baseUrl = `${(
    deps.config.getOptionalString('backend.baseUrl') ?? 'http://localhost:7007'
  ).replace(/\/+$/, '')}/api/codeflow`;
  const logger = deps.logger.child({ part: 'webhooks' });
  return {
    group: webhookRoutes(deps.catalog, { store, targets, box, baseUrl }),
    router: webhookRouter({
      receiver: new WebhookReceiver(targets, store, box, logger),
      auditor: deps.auditor,
      logger,
      maxBodyBytes,
    }),
    documentedPaths: webhookOpenApiPaths(maxBodyBytes),
  };
}

/** The path the plugin declares unauthenticated for the webhook endpoints. */
export const WEBHOOKS_AUTH_POLICY = {
  path: WEBHOOKS_PATH,
  allow: 'unauthenticated',
} as const;
