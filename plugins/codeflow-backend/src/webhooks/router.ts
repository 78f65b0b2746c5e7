import express from 'express';
import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  WEBHOOK_PROVIDERS,
  type WebhookProvider,
} from '@internal/plugin-container-cloud-common';
import type { DeliveryResult, WebhookReceiver } from './WebhookReceiver';

/** The largest delivery accepted unless `containerCloud.codeflow.webhooks.maxBodyBytes` says. */
export const DEFAULT_MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Where the webhook endpoints are served (the plugin declares this path unauthenticated). */
export const WEBHOOKS_PATH = '/webhooks';

const CODEFLOW_ID = /^[A-Za-z0-9_-]{1,40}$/;

export interface WebhookRouterOptions {
  receiver: WebhookReceiver;
  auditor: AuditorService;
  logger: LoggerService;
  maxBodyBytes?: number;
}

/**
 * The webhook endpoints, `POST /webhooks/<gitlab|gitea|github>/:codeflowId`: reachable without a
 * Backstage token (the git host has none; each delivery is authenticated by the codeflow's own
 * secret instead), so they are an express router of their own beside the route pipeline. Bodies
 * are read raw (signatures are over the bytes sent) and capped; every delivery's outcome is
 * recorded by the receiver and audited here, refusals included, never with its token.
 */
export function webhookRouter(options: WebhookRouterOptions): express.Router {
  const { receiver, auditor, logger } = options;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BYTES;
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit });

  const answer = async (
    req: express.Request,
    res: express.Response,
    provider: WebhookProvider,
    codeflowId: string,
    result: DeliveryResult,
  ) => {
    const meta = {
      codeflowId,
      provider,
      outcome: result.outcome,
      reason: result.reason,
      status: result.status,
      ...(result.event ? { event: result.event } : {}),
      ...(result.deliveryId ? { deliveryId: result.deliveryId } : {}),
      ...(result.recordId !== undefined ? { delivery: result.recordId } : {}),
      ...(result.runRequestId !== undefined
        ? { runRequestId: result.runRequestId }
        : {}),
      ...(result.environment ? { environment: result.environment } : {}),
      ...(result.ref ? { ref: result.ref } : {}),
      ...(result.commitSha ? { commitSha: result.commitSha } : {}),
    };
    const refused =
      result.outcome === 'refused' || result.outcome === 'unknown';
    try {
      const event = await auditor.createEvent({
        eventId: 'codeflow-webhook-delivery',
        severityLevel: refused ? 'high' : 'medium',
        request: req,
        meta: { codeflowId, provider },
      });
      if (refused) {
        await event.fail({ error: new Error(result.reason), meta });
      } else {
        await event.success({ meta });
      }
    } catch (error) {
      // the outcome is recorded in the database either way; the git host still gets its answer
      logger.warn(
        `could not audit a webhook delivery to ${codeflowId}: ${error}`,
      );
    }
    const body: Record<string, unknown> = {
      outcome: result.outcome === 'unknown' ? 'refused' : result.outcome,
      message: result.reason,
    };
    if (result.runRequestId !== undefined) {
      body.runRequest = {
        id: result.runRequestId,
        status: result.runRequestStatus,
        environment: result.environment,
      };
    }
    res.status(result.status).json(
      result.status >= 400
        ? {
            error: { name: errorName(result.status), message: result.reason },
            ...body,
          }
        : body,
    );
  };

  for (const provider of WEBHOOK_PROVIDERS) {
    router.post(
      `${WEBHOOKS_PATH}/${provider}/:codeflowId`,
      (
        req: express.Request,
        res: express.Response,
        next: express.NextFunction,
      ) => {
        const codeflowId = req.params.codeflowId;
        if (!CODEFLOW_ID.test(codeflowId)) {
          // the same shape as every other answer of this route (its documented one)
          res.status(404).json({
            error: { name: 'NotFoundError', message: 'no such codeflow' },
            outcome: 'refused',
            message: 'no such codeflow',
          });
          return;
        }
        const headers = req.headers;
        raw(req, res, (error?: unknown) => {
          const work = async () => {
            if (
              (error as { type?: string } | undefined)?.type ===
              'entity.too.large'
            ) {
              const result = await receiver.tooLarge(
                { provider, codeflowId, headers },
                limit,
              );
              // the sender may still be sending: answer, then close the connection
              res.set('Connection', 'close');
              await answer(req, res, provider, codeflowId, result);
              return;
            }
            if (error) throw error;
            const rawBody = Buffer.isBuffer(req.body)
              ? req.body
              : Buffer.alloc(0);
            const result = await receiver.receive({
              provider,
              codeflowId,
              headers,
              rawBody,
            });
            await answer(req, res, provider, codeflowId, result);
          };
          work().catch(next);
        });
      },
    );
  }
  return router;
}

function errorName(status: number): string {
  switch (status) {
    case 400:
      return 'InputError';
    case 401:
      return 'AuthenticationError';
    case 404:
      return 'NotFoundError';
    case 413:
      return 'PayloadTooLargeError';
    case 503:
      return 'ServiceUnavailableError';
    default:
      return 'Error';
  }
}
