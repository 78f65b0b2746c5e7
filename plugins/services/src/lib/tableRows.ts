import { useRef } from 'react';

/**
 * Rows for Backstage's Table (material-table) that keep their identity across data updates.
 *
 * material-table keys each row by a random id it makes whenever it is handed new data, unless the
 * row has an `id` it can match with the previous data; and it is handed the data again on every
 * render whose columns are not deep-equal to the last ones (a column's `render` closure makes them
 * differ). Without an `id`, every row of the table was unmounted and mounted again on each render
 * of the Service tab: each live update cost a frame of hundreds of milliseconds in Chromium
 * (docs/benchmarks.d/services-browser.md).
 */
export function withRowIds<T extends object>(
  rows: readonly T[],
  idOf: (row: T) => string,
): (T & { id: string })[] {
  return rows.map(row => ({ ...row, id: idOf(row) }));
}

/**
 * The latest value of a callback behind a function that never changes, for a table's columns:
 * columns made once stay deep-equal across renders, so the table does not take its data again.
 */
export function useLatest<A extends unknown[], R>(
  callback: (...args: A) => R,
): (...args: A) => R {
  const latest = useRef(callback);
  latest.current = callback;
  const stable = useRef((...args: A) => latest.current(...args));
  return stable.current;
}
