export { ReceiversCard } from './ReceiversCard';
