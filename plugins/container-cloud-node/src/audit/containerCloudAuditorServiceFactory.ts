import { randomUUID } from 'node:crypto';
import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuthService,
  coreServices,
  createServiceFactory,
  HttpAuthService,
  LoggerService,
  PluginMetadataService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { DefaultAuditorService } from '@backstage/backend-defaults/auditor';
import {
  eventsServiceRef,
  type EventsService,
} from '@backstage/plugin-events-node';
import {
  AUDIT_TOPIC,
  auditRecordOf,
  AuditorOutcomeEvent,
  AuditRecord,
} from './auditRecord';

/**
 * The plugins whose audit events the audit log stores unless `containerCloud.audit.plugins`
 * says otherwise: the suite's own, and the scaffolder's actions. Backstage's catalog records a
 * read of every entity and is left out.
 * @public
 */
export const DEFAULT_AUDITED_PLUGINS = [
  'services',
  'nginx',
  'storage',
  'clusters',
  'alerts',
  'app-store',
  'codeflow',
  'scaffolder',
];

type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
const DEFAULT_LEVELS: Record<AuditRecord['severity'], LogLevel> = {
  low: 'debug',
  medium: 'info',
  high: 'info',
  critical: 'info',
};

/** `backend.auditor.severityLogLevelMappings`, read as Backstage's own auditor reads it. */
function severityLevels(
  config: RootConfigService,
): Record<AuditRecord['severity'], LogLevel> {
  const levels = { ...DEFAULT_LEVELS };
  for (const severity of Object.keys(levels) as AuditRecord['severity'][]) {
    const key = `backend.auditor.severityLogLevelMappings.${severity}`;
    const level = config.getOptionalString(key);
    if (level === undefined) continue;
    if (!LOG_LEVELS.includes(level)) {
      throw new Error(
        `${key} is '${level}': it must be one of ${LOG_LEVELS.join(', ')}`,
      );
    }
    levels[severity] = level as LogLevel;
  }
  return levels;
}

/**
 * Backstage's audit output (its default auditor's log lines): an `isAuditEvent` child of the
 * plugin's logger, at the level the severity maps to, the message `<plugin>.<eventId>`, a
 * failure's error as the log's error and the rest of the event as fields.
 */
function backstageAuditOutput(
  logger: LoggerService,
  config: RootConfigService,
) {
  const auditLogger = logger.child({ isAuditEvent: true });
  const levels = severityLevels(config);
  return (event: AuditorOutcomeEvent) => {
    const level = levels[event.severityLevel];
    const message = `${event.plugin}.${event.eventId}`;
    if ('error' in event) {
      const { error, ...rest } = event;
      auditLogger.child(rest as {})[level](message, error);
    } else {
      auditLogger[level](message, event as {});
    }
  };
}

/** A request id a load balancer set, when it is a plain token; else none. */
function requestIdOf(
  options: AuditorServiceCreateEventOptions,
): string | undefined {
  const header = options.request?.get?.('x-request-id');
  return header && /^[A-Za-z0-9._:-]{1,64}$/.test(header) ? header : undefined;
}

/**
 * An auditor that writes Backstage's own audit output unchanged and also publishes each outcome
 * (success or failure; the start stays in the log output only) on the events bus, topic
 * AUDIT_TOPIC, where the audit log stores it. One request id ties the outcome to its request.
 * Publishing never fails the audited action: a bus that cannot take the event costs a warning,
 * and the log output still has it.
 */
class PublishingAuditor implements AuditorService {
  constructor(
    private readonly deps: {
      plugin: PluginMetadataService;
      auth: AuthService;
      httpAuth: HttpAuthService;
      output: (event: AuditorOutcomeEvent) => void;
      events: EventsService;
      logger: LoggerService;
    },
  ) {}

  async createEvent(options: AuditorServiceCreateEventOptions) {
    const requestId = requestIdOf(options) ?? randomUUID();
    const { plugin, auth, httpAuth, output } = this.deps;
    // Backstage's auditor resolves the actor and shapes the event; this one's log function
    // knows which request it belongs to
    const auditor = DefaultAuditorService.create(
      async event => {
        const outcome = event as unknown as AuditorOutcomeEvent;
        output(outcome);
        if (outcome.status !== 'initiated') {
          await this.publish(auditRecordOf(outcome, requestId, new Date()));
        }
      },
      { plugin, auth, httpAuth },
    );
    return auditor.createEvent(options);
  }

  private async publish(record: AuditRecord) {
    try {
      await this.deps.events.publish({
        topic: AUDIT_TOPIC,
        eventPayload: record,
      });
    } catch (error) {
      this.deps.logger.warn(
        `the audit log did not get ${record.plugin}.${record.eventId} (request ${record.requestId}); Backstage's audit output has it`,
        error as Error,
      );
    }
  }
}

/**
 * The suite's `coreServices.auditor`: Backstage's default audit output, unchanged, for every
 * plugin; for the plugins in `containerCloud.audit.plugins` (default DEFAULT_AUDITED_PLUGINS)
 * each outcome also goes on the events bus (AUDIT_TOPIC) to the audit log. Add it to the backend
 * in place of the default: `backend.add(containerCloudAuditorServiceFactory)`.
 * @public
 */
export const containerCloudAuditorServiceFactory = createServiceFactory({
  service: coreServices.auditor,
  deps: {
    config: coreServices.rootConfig,
    logger: coreServices.logger,
    auth: coreServices.auth,
    httpAuth: coreServices.httpAuth,
    plugin: coreServices.pluginMetadata,
    events: eventsServiceRef,
  },
  factory({ config, logger, auth, httpAuth, plugin, events }) {
    const output = backstageAuditOutput(logger, config);
    const audited =
      config.getOptionalStringArray('containerCloud.audit.plugins') ??
      DEFAULT_AUDITED_PLUGINS;
    if (!audited.includes(plugin.getId())) {
      return DefaultAuditorService.create(
        event => output(event as unknown as AuditorOutcomeEvent),
        { plugin, auth, httpAuth },
      );
    }
    return new PublishingAuditor({
      plugin,
      auth,
      httpAuth,
      output,
      events,
      logger,
    });
  },
});
