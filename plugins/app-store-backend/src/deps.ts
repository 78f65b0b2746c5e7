import type {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type {
  ContainerCloudClustersService,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';
import type { Knex } from 'knex';

/** What each part of the app store backend is built from (the plugin's services, and its database). */
export interface AppStoreDeps {
  config: RootConfigService;
  logger: LoggerService;
  lifecycle: LifecycleService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  database: DatabaseService;
  scheduler: SchedulerService;
  auth: AuthService;
  userInfo: UserInfoService;
  events: EventsService;
  signals: SignalsService;
  catalog: CatalogService;
  bindings: ServiceBindings;
  clusters: ContainerCloudClustersService;
  /** the plugin's database with every migration under migrations/ applied */
  knex: Knex;
  /** the clock (appStoreClockServiceRef: the system's, a test's in tests) */
  now: () => Date;
}
