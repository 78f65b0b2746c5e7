export { AdminInstances, ageText, resourcesText } from './AdminInstances';
