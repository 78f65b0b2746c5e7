import { randomBytes } from 'node:crypto';
import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import {
  codeflowWebhookParamsSchema,
  codeflowWebhookSecretPermission,
  serviceReadPermission,
  webhookDeliveriesQuerySchema,
  webhookDeliveryListSchema,
  webhookSecretResultSchema,
  webhookStatusSchema,
  WEBHOOK_PROVIDERS,
  type WebhookStatus,
} from '@internal/plugin-container-cloud-common';
import {
  defineRoute,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  SecretBox,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { WEBHOOK_KEY_CONFIG } from './WebhookReceiver';
import type { WebhookStore } from './WebhookStore';
import type { WebhookTarget, WebhookTargets } from './WebhookTargets';

/** The codeflow a `/services/:namespace/:name/codeflows/:id/...` route is about. */
export interface CodeflowOfService {
  entityRef: string;
  codeflow: WebhookTarget;
}

/** One route about a codeflow's webhooks. */
export type WebhookRoute = RouteSpec<CodeflowOfService>;
const route = defineRoute<CodeflowOfService>();

const CODEFLOW_PATH = '/services/:namespace/:name/codeflows/:id';

/** What the webhook routes are built from. */
export interface WebhookRoutesOptions {
  store: WebhookStore;
  targets: WebhookTargets;
  /** undefined when WEBHOOK_KEY_CONFIG is not configured: secrets cannot be set */
  box: SecretBox | undefined;
  /** the plugin's external base URL, e.g. https://portal.example.com/api/codeflow */
  baseUrl: string;
}

function actorOf(credentials: BackstageCredentials): string {
  return (
    (credentials.principal as { userEntityRef?: string }).userEntityRef ??
    'unknown'
  );
}

/** Where a codeflow's webhooks are received, per git host. */
export function webhookUrls(baseUrl: string, codeflowId: string) {
  const urls = Object.fromEntries(
    WEBHOOK_PROVIDERS.map(provider => [
      provider,
      `${baseUrl}/webhooks/${provider}/${encodeURIComponent(codeflowId)}`,
    ]),
  );
  return urls as Record<(typeof WEBHOOK_PROVIDERS)[number], string>;
}

/** The routes of a codeflow's webhooks (secret, status, deliveries), as data. */
export function webhookRouteTable(
  options: WebhookRoutesOptions,
): WebhookRoute[] {
  const { store, box, baseUrl } = options;
  const status = async (codeflowId: string): Promise<WebhookStatus> => {
    const secret = await store.getSecret(codeflowId);
    return {
      codeflowId,
      configured: Boolean(secret),
      setAt: secret?.setAt.toISOString() ?? null,
      setBy: secret?.setBy ?? null,
      urls: webhookUrls(baseUrl, codeflowId),
    };
  };
  const request = {
    params: codeflowWebhookParamsSchema,
    names: { params: 'codeflow' },
  };
  return [
    route({
      method: 'get',
      path: `${CODEFLOW_PATH}/webhook`,
      summary:
        "Whether a codeflow has a webhook secret, and the URLs its git host's webhooks go to",
      access: 'read',
      permission: serviceReadPermission,
      request,
      response: { description: 'the webhook', schema: webhookStatusSchema },
      handler: async ({ resource }) => status(resource.codeflow.codeflowId),
    }),
    route({
      method: 'post',
      path: `${CODEFLOW_PATH}/webhook-secret`,
      summary: "Set or rotate a codeflow's webhook secret",
      description:
        'A new random secret, answered this once: paste it into the webhook (GitLab: Secret token; Gitea/GitHub: Secret). It is stored encrypted and never answered again; a rotation makes deliveries with the old one 401s.',
      access: 'operate',
      permission: codeflowWebhookSecretPermission,
      audit: { eventId: 'codeflow-webhook-secret', severityLevel: 'high' },
      request,
      response: {
        status: 201,
        description: 'the secret, this once',
        schema: webhookSecretResultSchema,
        errors: {
          503: `${WEBHOOK_KEY_CONFIG} is not configured: secrets cannot be stored`,
        },
      },
      handler: async ({ resource, credentials, audit }) => {
        if (!box) {
          throw new ServiceUnavailableError(
            `webhook secrets cannot be stored: ${WEBHOOK_KEY_CONFIG} is not configured (32 random bytes, e.g. \`openssl rand -base64 32\`)`,
          );
        }
        const { codeflowId } = resource.codeflow;
        const secret = randomBytes(32).toString('base64url');
        const { replaced } = await store.putSecret(
          codeflowId,
          box.seal(secret),
          actorOf(credentials),
        );
        audit.meta.rotated = replaced;
        return { ...(await status(codeflowId)), secret, rotated: replaced };
      },
    }),
    route({
      method: 'get',
      path: `${CODEFLOW_PATH}/deliveries`,
      summary:
        "A codeflow's newest webhook deliveries and their outcome (accepted, ignored, refused, duplicate)",
      access: 'read',
      permission: serviceReadPermission,
      request: {
        ...request,
        query: webhookDeliveriesQuerySchema,
        names: { ...request.names, query: 'query' },
      },
      response: {
        description: 'the deliveries, newest first',
        schema: webhookDeliveryListSchema,
      },
      handler: async ({ resource, query }) => ({
        items: await store.listDeliveries(
          resource.codeflow.codeflowId,
          query.limit,
        ),
      }),
    }),
  ];
}

/** The codeflow of `/services/:namespace/:name/codeflows/:id`: 404 unless it is that service's. */
function lookupCodeflow(catalog: CatalogService, targets: WebhookTargets) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<CodeflowOfService> => {
    const { entityRef } = await serviceEntityOf(
      catalog,
      req.params,
      credentials,
    );
    const id = String(req.params.id ?? '');
    const codeflow = /^[A-Za-z0-9_-]{1,40}$/.test(id)
      ? await targets.find(id)
      : undefined;
    const sameService =
      codeflow?.entityRef.toLocaleLowerCase('en-US') ===
      entityRef.toLocaleLowerCase('en-US');
    if (!codeflow || !sameService) {
      throw new NotFoundError(
        `${entityRef} has no codeflow ${id.slice(0, 40)}`,
      );
    }
    return { entityRef, codeflow };
  };
}

/** The webhooks part of the codeflow API (the webhook endpoints themselves: `webhookRouter`). */
export function webhookRoutes(
  catalog: CatalogService,
  options: WebhookRoutesOptions,
): RouteGroup<CodeflowOfService> {
  return {
    routes: webhookRouteTable(options),
    lookup: lookupCodeflow(catalog, options.targets),
    resourceRef: resource => resource.entityRef,
    auditMeta: resource => ({
      entityRef: resource.entityRef,
      codeflowId: resource.codeflow.codeflowId,
    }),
    // nothing of a request to these routes is worth keeping (and no secret goes in)
    auditedRequest: () => undefined,
    refusal: (permission: RoutePermission, entityRef?: string) =>
      `you may not ${permission.name.replace(
        'container-cloud.codeflow.',
        '',
      )} of ${entityRef}'s codeflows: only its owners and ops admins may`,
  };
}
