import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { CodeflowDeps } from '../deps';

/** The codeflow definitions' routes: a service's codeflows (CRUD) and their generated Dockerfile. */
export async function definitionRoutes(_deps: CodeflowDeps): Promise<RouteGroup> {
  // PLACEHOLDER: built by its helper
  return { routes: [] };
}
