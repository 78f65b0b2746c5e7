export * from './HistoryCard';
