export { RulesCard } from './RulesCard';
