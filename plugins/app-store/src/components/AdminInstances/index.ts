export { AdminInstances, expiresWithin } from './AdminInstances';
