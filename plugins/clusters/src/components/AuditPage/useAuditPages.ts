import { useCallback, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { AuditEventPage } from '@internal/plugin-container-cloud-common';

/**
 * Pages through a newest-first audit search by cursor: `older` follows the page's nextCursor,
 * `newer` goes back the way it came; a change of `load` (new filters) starts from the newest.
 */
export function useAuditPages(
  load: (cursor: string | undefined) => Promise<AuditEventPage>,
) {
  // the cursors of the pages before this one; the last is this page's
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [loaded, setLoaded] = useState(() => load);
  if (loaded !== load) {
    setLoaded(() => load);
    setCursors([undefined]);
  }
  const cursor = cursors[cursors.length - 1];
  const page = useAsyncRetry(() => load(cursor), [load, cursor]);
  const nextCursor = page.value?.nextCursor;
  const older = useCallback(() => {
    if (nextCursor) setCursors(all => [...all, nextCursor]);
  }, [nextCursor]);
  const newer = useCallback(() => setCursors(all => all.slice(0, -1)), []);
  return {
    ...page,
    pageNumber: cursors.length,
    hasOlder: Boolean(nextCursor),
    hasNewer: cursors.length > 1,
    older,
    newer,
  };
}
