/**
 * Container Cloud for Backstage: the app store — charts from Helm repositories, installed with
 * the real Helm as instances owned by catalog entities, with expiry.
 *
 * @packageDocumentation
 */
export { appStorePlugin as default } from './plugin';
export {
  appStoreClockServiceRef,
  systemClock,
  type AppStoreClock,
} from './clock';
