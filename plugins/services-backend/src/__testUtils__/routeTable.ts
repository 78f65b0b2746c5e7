import { RouterOptions, serviceRouteTable } from '../router';
import { ShellSessions } from '../shell/ShellSessions';

/** Every route of the services backend as `METHOD /path`, from its one route table. */
export async function routeTable(): Promise<string[]> {
  const shellSessions = new ShellSessions();
  // nothing is called while the table is declared: empty stand-ins are enough to list it
  const table = serviceRouteTable({
    maxReplicas: 20,
    maxFollowsPerUser: 5,
    shellSessions,
  } as unknown as RouterOptions);
  shellSessions.closeAll('listed');
  return table.map(route => `${route.method.toUpperCase()} ${route.path}`);
}
