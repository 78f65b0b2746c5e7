import { WEBHOOK_PROVIDERS } from '@internal/plugin-container-cloud-common';
import type { OpenApiDocument } from '@internal/plugin-container-cloud-node';

const HOSTS = {
  gitlab: {
    name: 'GitLab',
    auth: 'X-Gitlab-Token (the secret itself, compared in constant time)',
    events: 'Push Hook, Tag Push Hook and Merge Request Hook (merged only)',
    id: 'X-Gitlab-Event-UUID',
  },
  gitea: {
    name: 'Gitea/Forgejo',
    auth: 'X-Gitea-Signature (hex HMAC-SHA256 of the raw body keyed with the secret)',
    events: 'push',
    id: 'X-Gitea-Delivery',
  },
  github: {
    name: 'GitHub',
    auth: 'X-Hub-Signature-256 (sha256=<hex HMAC-SHA256 of the raw body>)',
    events: 'push',
    id: 'X-GitHub-Delivery',
  },
} as const;

const outcome = {
  type: 'object',
  properties: {
    outcome: {
      type: 'string',
      enum: ['accepted', 'ignored', 'refused', 'duplicate'],
    },
    message: { type: 'string' },
    runRequest: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        status: { type: 'string', enum: ['queued', 'awaiting-approval'] },
        environment: { type: 'string' },
      },
    },
  },
  required: ['outcome', 'message'],
};

/**
 * The webhook endpoints as OpenAPI path items, for the plugin's document: served outside the
 * route pipeline, without a Backstage token (`security: []`), each delivery authenticated by the
 * codeflow's own secret.
 */
export function webhookOpenApiPaths(
  maxBodyBytes: number,
): OpenApiDocument['paths'] {
  return Object.fromEntries(
    WEBHOOK_PROVIDERS.map(provider => {
      const host = HOSTS[provider];
      const answer = (description: string) => ({
        description,
        content: { 'application/json': { schema: outcome } },
      });
      return [
        `/webhooks/${provider}/{codeflowId}`,
        {
          post: {
            operationId: `postWebhooks${provider[0].toUpperCase()}${provider.slice(
              1,
            )}CodeflowId`,
            summary: `Receive a ${host.name} webhook delivery for a codeflow`,
            description: `No Backstage token: the delivery is authenticated by ${host.auth}. Builds on ${host.events}; a delivery id (${host.id}) seen before runs once. Every delivery's outcome is recorded (GET /services/{namespace}/{name}/codeflows/{id}/deliveries) and audited. An accepted delivery records a queued run request (awaiting approval when its branch rule says so).`,
            'x-access': 'webhook',
            'x-audit-event': 'codeflow-webhook-delivery',
            parameters: [
              {
                name: 'codeflowId',
                in: 'path',
                required: true,
                schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
              },
            ],
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    description: `${host.name}'s documented payload, at most ${maxBodyBytes} bytes`,
                  },
                },
              },
            },
            responses: {
              '200': answer(
                'a delivery id received before: nothing runs again',
              ),
              '202': answer(
                'accepted (a run request recorded) or ignored (an event that builds nothing)',
              ),
              '400': answer('the payload is not the event’s documented shape'),
              '401': answer(
                'the token or signature is missing or wrong (audited)',
              ),
              '404': answer('no such codeflow'),
              '413': answer(`the body is larger than ${maxBodyBytes} bytes`),
              '503': answer('the portal cannot read webhook secrets (its key)'),
            },
            security: [],
          },
        },
      ];
    }),
  );
}
