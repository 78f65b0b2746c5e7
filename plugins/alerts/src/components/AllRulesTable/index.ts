export { AllRulesTable } from './AllRulesTable';
