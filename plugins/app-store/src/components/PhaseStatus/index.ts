export {
  PhaseStatus,
  SimulatedChip,
  SIMULATED_HELP,
  expiryText,
} from './PhaseStatus';
