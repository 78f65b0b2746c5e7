import { useEffect, useRef } from 'react';

/**
 * The Service tab's performance marks (User Timing), read by the browser benchmark
 * (bench/services/browser.ts) and shown in the browser's performance panel.
 */
export const SERVICE_TAB_MARKS = {
  /** the tab mounted (its first render is the loading state) */
  start: 'container-cloud:service-tab:start',
  /** the clusters' tables first rendered from the backend's view (once per mount) */
  usable: 'container-cloud:service-tab:usable',
  /** Element Timing identifier of a cluster card's title: when the cards first painted */
  paint: 'container-cloud:service-tab:cluster',
  /** a measure from start to usable */
  measure: 'container-cloud:service-tab',
} as const;

function mark(name: string) {
  // browsers without User Timing, or a test environment without it, just go without the marks
  if (typeof performance === 'undefined' || !performance.mark) return;
  try {
    performance.mark(name);
  } catch {
    // a mark is never worth an error on the page
  }
}

/**
 * Marks the tab's mount and, once, the first commit in which it renders the clusters' tables from
 * data. Parents' effects run after their children's, so when the usable mark is taken the tables'
 * rows are in the document.
 */
export function useServiceTabMarks(hasData: boolean): void {
  const usable = useRef(false);
  useEffect(() => {
    mark(SERVICE_TAB_MARKS.start);
  }, []);
  useEffect(() => {
    if (!hasData || usable.current) return;
    usable.current = true;
    mark(SERVICE_TAB_MARKS.usable);
    try {
      performance.measure?.(
        SERVICE_TAB_MARKS.measure,
        SERVICE_TAB_MARKS.start,
        SERVICE_TAB_MARKS.usable,
      );
    } catch {
      // no start mark (User Timing missing): nothing to measure
    }
  }, [hasData]);
}
