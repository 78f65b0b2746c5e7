import type { ReactElement } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';

/**
 * What a card of the admin page shows for a list it loads: progress while it loads, the error
 * if it failed, `empty` when it has no items, else what `children` makes of the items.
 */
export function Loaded<T>(props: {
  /** the card's own props: whether the list is loading, and why it failed */
  status: { loading: boolean; error?: Error };
  items?: T[];
  empty: ReactElement;
  children(items: T[]): ReactElement;
}) {
  const { loading, error } = props.status;
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!props.items?.length) return props.empty;
  return props.children(props.items);
}
