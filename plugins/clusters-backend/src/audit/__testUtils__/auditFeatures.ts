import {
  BackendFeature,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { containerCloudAuditorServiceFactory } from '@internal/plugin-container-cloud-node';
import express from 'express';

/**
 * A stand-in for another suite plugin (id `services`): `POST /api/services/act` records an audit
 * event about the entity in its body through the suite's auditor, as the real route pipeline
 * does, and fails when the body says so.
 */
export const auditingServicesPlugin = createBackendPlugin({
  pluginId: 'services',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        auditor: coreServices.auditor,
      },
      async init({ httpRouter, auditor }) {
        const router = express.Router();
        router.use(express.json());
        router.post('/act', async (req, res) => {
          const event = await auditor.createEvent({
            eventId: req.body.eventId ?? 'service-scale',
            request: req,
            meta: { entityRef: req.body.entityRef, request: req.body },
          });
          if (req.body.fail) await event.fail({ error: new Error('refused') });
          else await event.success();
          res.json({});
        });
        httpRouter.use(router);
      },
    });
  },
});

/**
 * What the audit and metering tests add to `startClustersBackend`: the suite's auditor (events
 * reach the clusters plugin's audit log), Backstage's test scheduler in place of the real one (no
 * health probe runs and writes events of its own) and a `services` plugin that audits: the
 * stand-in above unless another is given, e.g. the real services backend.
 */
export function auditFeatures(
  servicesPlugin: BackendFeature = auditingServicesPlugin,
) {
  return [
    containerCloudAuditorServiceFactory,
    mockServices.scheduler.factory(),
    servicesPlugin,
  ];
}
