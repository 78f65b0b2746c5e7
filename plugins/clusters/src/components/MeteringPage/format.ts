import { formatValue } from '@internal/plugin-container-cloud-react';

/** `250m` below a core, `2.00 cores` from one on. */
export const cores = (value: number) =>
  value < 1
    ? formatValue(value, 'cores')
    : `${formatValue(value, 'cores')} cores`;
export const bytes = (value: number) => formatValue(value, 'bytes');
/** Used as a share of requested, e.g. `12%`; `—` when nothing is requested. */
export const share = (used: number, requested: number) =>
  requested > 0 ? `${Math.round((used / requested) * 100)}%` : '—';
