import { createContext, ReactNode, useContext } from 'react';
import type { InstanceRef } from '../api/AppStoreClient';

const BasePathContext = createContext('');

/** Where the App store page is mounted, so its parts can link to its sub-pages. */
export function BasePathProvider(props: { path: string; children: ReactNode }) {
  return (
    <BasePathContext.Provider value={props.path.replace(/\/+$/, '')}>
      {props.children}
    </BasePathContext.Provider>
  );
}

/** The App store page's links: its tabs and an instance's page. */
export function useAppStoreLinks() {
  const base = useContext(BasePathContext);
  return {
    instances: `${base}/instances`,
    instance: (ref: InstanceRef) =>
      `${base}/instances/${[ref.cluster, ref.namespace, ref.name]
        .map(encodeURIComponent)
        .join('/')}`,
  };
}
