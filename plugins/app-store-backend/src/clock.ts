import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/**
 * The app store's clock: install times, expiry, warnings and ages are read from it. The system
 * clock by default; a test backend replaces it with one it can move
 * (`createServiceFactory({ service: appStoreClockServiceRef, ... })`).
 * @public
 */
export interface AppStoreClock {
  now(): Date;
}

/** The system clock. @public */
export const systemClock: AppStoreClock = { now: () => new Date() };

/**
 * The app store's clock as a service, so the real plugin runs against a moved clock in tests.
 * @public
 */
export const appStoreClockServiceRef = createServiceRef<AppStoreClock>({
  id: 'container-cloud.app-store.clock',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => systemClock,
    }),
});
