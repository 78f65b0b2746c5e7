export { CatalogueTab } from './CatalogueTab';
export { ChartCard } from './ChartCard';
