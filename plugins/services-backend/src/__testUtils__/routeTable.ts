import { createRouter, RouterOptions } from '../router';
import { ShellSessions } from '../shell/ShellSessions';

/** Every route of the services router as `METHOD /path`, from express' own route table. */
export async function routeTable(): Promise<string[]> {
  const shellSessions = new ShellSessions();
  // nothing is called while routes are registered: empty stand-ins are enough to list them
  const router = await createRouter({
    maxReplicas: 20,
    maxFollowsPerUser: 5,
    shellSessions,
  } as unknown as RouterOptions);
  shellSessions.closeAll('listed');
  return (
    router.stack as Array<{
      route?: { path: string; methods: Record<string, boolean> };
    }>
  ).flatMap(layer =>
    layer.route
      ? Object.keys(layer.route.methods).map(
          method => `${method.toUpperCase()} ${layer.route!.path}`,
        )
      : [],
  );
}
