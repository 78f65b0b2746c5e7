import { nginxRouteTable, RouterOptions } from '../router';

/** Every route of the nginx backend as `METHOD /path`, from its one route table. */
export function routeTable(): string[] {
  // nothing is called while the table is declared: empty stand-ins are enough to list it
  return nginxRouteTable({} as RouterOptions).map(
    route => `${route.method.toUpperCase()} ${route.path}`,
  );
}

/** The routes that change something: every one is in the permission tests. */
export function mutatingRoutes(): string[] {
  return routeTable().filter(route => !route.startsWith('GET '));
}
