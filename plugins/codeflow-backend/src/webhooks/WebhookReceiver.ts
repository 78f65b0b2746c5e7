import type {
  WebhookDeliveryOutcome,
  WebhookProvider,
} from '@internal/plugin-container-cloud-common';
import type { SecretBox } from '@internal/plugin-container-cloud-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { matchBranchRule } from './branchRules';
import { DELIVERY_HEADER, EVENT_HEADER, parseDelivery } from './payloads';
import { AUTH_HEADER, verifyDelivery } from './signatures';
import type { NewDelivery, WebhookStore } from './WebhookStore';
import {
  sameRepository,
  type WebhookTarget,
  type WebhookTargets,
} from './WebhookTargets';

/** The config key of the key webhook secrets are sealed with. */
export const WEBHOOK_KEY_CONFIG =
  'containerCloud.codeflow.webhooks.encryptionKey';

/** One delivery as it reached the backend. */
export interface IncomingDelivery {
  provider: WebhookProvider;
  codeflowId: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer;
}

/** What became of a delivery: the answer to the git host, and what the audit event records. */
export interface DeliveryResult {
  status: number;
  /** `unknown` for a codeflow that does not exist (nothing to record it on) */
  outcome: WebhookDeliveryOutcome | 'unknown';
  reason: string;
  event?: string;
  deliveryId?: string;
  /** the delivery's row, when recorded */
  recordId?: number;
  runRequestId?: number;
  runRequestStatus?: 'queued' | 'awaiting-approval';
  environment?: string;
  ref?: string;
  commitSha?: string;
}

function header(
  headers: IncomingDelivery['headers'],
  name: string,
): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? undefined : text.slice(0, 200);
}

const AUTH_HEADER_NAMES: Record<WebhookProvider, string> = {
  gitlab: 'X-Gitlab-Token',
  gitea: 'X-Gitea-Signature',
  github: 'X-Hub-Signature-256',
};

/**
 * Receives a codeflow's webhook deliveries: authenticates each with the codeflow's secret,
 * reads the event in the git host's documented shape, chooses the environment by the codeflow's
 * branch rules and records the outcome; an accepted delivery records a queued run request
 * (awaiting approval when its rule says so) for the run engine. No HTTP here: the router turns
 * the result into the answer and the audit event.
 */
export class WebhookReceiver {
  constructor(
    private readonly targets: WebhookTargets,
    private readonly store: WebhookStore,
    private readonly box: SecretBox | undefined,
    private readonly logger: LoggerService,
  ) {}

  /** A delivery whose body was larger than accepted: refused, recorded when the codeflow exists. */
  async tooLarge(
    delivery: Omit<IncomingDelivery, 'rawBody'>,
    limitBytes: number,
  ): Promise<DeliveryResult> {
    return this.refuse(
      delivery,
      413,
      `the payload is larger than the ${limitBytes} bytes a delivery may have (containerCloud.codeflow.webhooks.maxBodyBytes)`,
    );
  }

  async receive(delivery: IncomingDelivery): Promise<DeliveryResult> {
    const { provider, codeflowId, headers } = delivery;
    const target = await this.targets.find(codeflowId);
    if (!target) {
      return {
        status: 404,
        outcome: 'unknown',
        reason: `no codeflow ${codeflowId}`,
      };
    }
    const secret = await this.secretOf(codeflowId);
    if ('refusal' in secret) {
      return this.refuse(delivery, secret.status, secret.refusal, target);
    }
    const verdict = verifyDelivery(
      provider,
      header(headers, AUTH_HEADER[provider]),
      delivery.rawBody,
      secret.plain,
    );
    if (verdict !== 'valid') {
      return this.refuse(
        delivery,
        401,
        verdict === 'missing'
          ? `no ${AUTH_HEADER_NAMES[provider]} header: set the codeflow's webhook secret in the webhook`
          : `${AUTH_HEADER_NAMES[provider]} does not match the codeflow's webhook secret`,
        target,
      );
    }

    const event = header(headers, EVENT_HEADER[provider]);
    const deliveryId = header(headers, DELIVERY_HEADER[provider])?.slice(
      0,
      100,
    );
    const base: NewDelivery = {
      codeflowId,
      provider,
      event,
      deliveryId,
      outcome: 'ignored',
      reason: '',
      status: 202,
    };
    const dedupeKey = deliveryId
      ? `${provider}:${codeflowId}:${deliveryId}`
      : undefined;
    const parsed = parseDelivery(provider, event, delivery.rawBody);
    if (parsed.kind === 'unreadable') {
      return this.refuse(delivery, 400, parsed.reason, target);
    }
    const ignore = async (
      reason: string,
      extra: Partial<NewDelivery> = {},
    ): Promise<DeliveryResult> => {
      const recorded = await this.store.recordIgnored({
        ...base,
        ...extra,
        reason,
        dedupeKey,
      });
      return recorded.outcome === 'duplicate'
        ? this.duplicate(recorded.deliveryId, event, deliveryId)
        : {
            status: 202,
            outcome: 'ignored',
            reason,
            event,
            deliveryId,
            recordId: recorded.deliveryId,
            ref: extra.ref,
            commitSha: extra.commitSha,
          };
    };
    if (parsed.kind === 'ignore') return ignore(parsed.reason);

    const about = {
      ref: parsed.ref,
      refKind: parsed.refKind,
      commitSha: parsed.commitSha,
    };
    if (
      target.repositoryUrl &&
      parsed.repositoryUrl &&
      !sameRepository(target.repositoryUrl, parsed.repositoryUrl)
    ) {
      return ignore(
        `the event is about ${parsed.repositoryUrl}; the codeflow builds ${target.repositoryUrl}`,
        about,
      );
    }
    if (!target.enabled) {
      return ignore("the codeflow's webhook trigger is off", about);
    }
    const rule = matchBranchRule(target.rules, parsed.refKind, parsed.ref);
    if (!rule) {
      return ignore(
        `no branch rule of the codeflow builds ${parsed.refKind} ${parsed.ref}`,
        about,
      );
    }
    const runStatus = rule.approval ? 'awaiting-approval' : 'queued';
    const reason = rule.approval
      ? `${parsed.refKind} ${parsed.ref} builds for ${rule.environment} after an approval: awaiting approval`
      : `${parsed.refKind} ${parsed.ref} builds for ${rule.environment}: run queued`;
    const recorded = await this.store.recordAccepted(
      {
        ...base,
        ...about,
        outcome: 'accepted',
        reason,
        environment: rule.environment,
        dedupeKey,
      },
      {
        codeflowId,
        status: runStatus,
        trigger: parsed.trigger,
        ref: parsed.ref,
        refKind: parsed.refKind,
        commitSha: parsed.commitSha,
        commitMessage: parsed.commitMessage,
        commitAuthor: parsed.commitAuthor,
        environment: rule.environment,
        requestedBy: target.ownerRef,
        pushedBy: parsed.pushedBy,
      },
    );
    if (recorded.outcome === 'duplicate') {
      return this.duplicate(recorded.deliveryId, event, deliveryId);
    }
    return {
      status: 202,
      outcome: 'accepted',
      reason,
      event,
      deliveryId,
      recordId: recorded.deliveryId,
      runRequestId: recorded.runRequestId,
      runRequestStatus: runStatus,
      environment: rule.environment,
      ref: parsed.ref,
      commitSha: parsed.commitSha,
    };
  }

  private duplicate(
    recordId: number,
    event: string | undefined,
    deliveryId: string | undefined,
  ): DeliveryResult {
    return {
      status: 200,
      outcome: 'duplicate',
      reason: `delivery ${deliveryId} was received before: it runs once`,
      event,
      deliveryId,
      recordId,
    };
  }

  private async secretOf(
    codeflowId: string,
  ): Promise<{ plain: string } | { status: number; refusal: string }> {
    const stored = await this.store.getSecret(codeflowId);
    if (!stored) {
      return {
        status: 401,
        refusal:
          'the codeflow has no webhook secret yet: its owners set one on its Webhook tab',
      };
    }
    if (!this.box) {
      return {
        status: 503,
        refusal: `the portal cannot read webhook secrets: ${WEBHOOK_KEY_CONFIG} is not configured`,
      };
    }
    try {
      return { plain: this.box.open(stored.sealed) };
    } catch (error) {
      this.logger.error(
        `the webhook secret of codeflow ${codeflowId} does not decrypt with ${WEBHOOK_KEY_CONFIG}: was the key changed? ${error}`,
      );
      return {
        status: 503,
        refusal: `the codeflow's webhook secret does not decrypt with ${WEBHOOK_KEY_CONFIG} (was the key changed?): set a new secret`,
      };
    }
  }

  /** A refused delivery, recorded on its codeflow when there is one. */
  private async refuse(
    delivery: Omit<IncomingDelivery, 'rawBody'>,
    status: number,
    reason: string,
    found?: WebhookTarget,
  ): Promise<DeliveryResult> {
    const { provider, codeflowId, headers } = delivery;
    const event = header(headers, EVENT_HEADER[provider]);
    const deliveryId = header(headers, DELIVERY_HEADER[provider])?.slice(
      0,
      100,
    );
    const target = found ?? (await this.targets.find(codeflowId));
    if (!target) {
      return {
        status: 404,
        outcome: 'unknown',
        reason: `no codeflow ${codeflowId}`,
      };
    }
    const recordId = await this.store.recordRefused({
      codeflowId,
      provider,
      event,
      deliveryId,
      outcome: 'refused',
      reason,
      status,
    });
    return { status, outcome: 'refused', reason, event, deliveryId, recordId };
  }
}
