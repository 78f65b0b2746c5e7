/**
 * Test helpers for other packages' tests of the nginx backend on this machine: a real nginx of
 * its own in a scratch prefix, which a backend's nginx cluster can deliver to and reload.
 */
export { freePort, startScratchNginx } from './scratchNginx';
export { TEST_ENVIRONMENT_PREFIX } from '../services/TestEnvironments';
