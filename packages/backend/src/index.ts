import { createBackend } from '@backstage/backend-defaults';
import { containerCloudAuditorServiceFactory } from '@internal/plugin-container-cloud-node';

const backend = createBackend();

// Backstage's audit output, unchanged, and each outcome of the suite's plugins also into the
// audit log (plugins/clusters-backend, "Audit log") over the events bus
backend.add(containerCloudAuditorServiceFactory);

// serves the built frontend
backend.add(import('@backstage/plugin-app-backend'));

// sign-in: the guest provider for local use (see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// business lines, projects, services, teams and people from the company CMDB (catalog.providers.cmdb)
backend.add(import('@internal/plugin-catalog-backend-module-cmdb'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
// the suite's operations as scaffolder actions (container-cloud:*), acting as the template's user
backend.add(
  import('@internal/plugin-scaffolder-backend-module-container-cloud'),
);
// actions of the actions registry, served to MCP clients
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// owners operate their entities, ops admins operate everything, everyone reads
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@internal/plugin-permission-backend-module-container-cloud-policy'),
);

// Backstage's own read-only Kubernetes view, on the same cluster list as our plugins
backend.add(import('@backstage/plugin-kubernetes-backend'));

// pushes live updates to the browser
// the events bus: signals (live pages) reach browsers connected to any backend instance
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
// notifications to people and groups (the app store's expiry warnings), shown in the app's inbox
backend.add(import('@backstage/plugin-notifications-backend'));

// Container Cloud: service management across clusters
backend.add(import('@internal/plugin-services-backend'));
// Container Cloud: nginx clusters, domains, versions and publishing (containerCloud.nginx)
backend.add(import('@internal/plugin-nginx-backend'));
// Container Cloud: volumes and config files (containerCloud.storage)
backend.add(import('@internal/plugin-storage-backend'));
// Container Cloud: clusters, failover, metering and the audit log for ops
backend.add(import('@internal/plugin-clusters-backend'));
// Container Cloud: alert rules, receivers, alerts, silences and the autoscaler (containerCloud.alerts)
backend.add(import('@internal/plugin-alerts-backend'));
// Container Cloud: the app store, Helm charts installed as instances (containerCloud.appStore)
backend.add(import('@internal/plugin-app-store-backend'));
// Container Cloud: codeflows, builds from git to a rolled-out image (containerCloud.codeflow)
backend.add(import('@internal/plugin-codeflow-backend'));

backend.start();
