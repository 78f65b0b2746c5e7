import type { TestEnvironmentSyncResult } from '@internal/plugin-container-cloud-common';
import { suiteAction } from './SuiteAction';

/**
 * `container-cloud:nginx:test-environments:sync`: publishes the test environments now, so a
 * service just created gets its test domain (`<service>.<wildcard domain>`) without waiting for
 * the nginx backend's schedule. Through the nginx backend as the user: publishing is ops admins'.
 * Idempotent by nature (a sync adds, updates or removes only what differs); a dry run calls
 * nothing.
 */
export const syncTestEnvironmentsAction = suiteAction({
  id: 'container-cloud:nginx:test-environments:sync',
  registryName: 'container-cloud-nginx-test-environments-sync',
  title: 'Publish the test environments now',
  description:
    'Publishes the nginx test environments at once: a test domain for every service found in the clusters (containerCloud.nginx.testEnvironments). Acts as the calling user, under the nginx publish permission (ops admins); idempotent; a dry run changes nothing.',
  input: z => z.object({}),
  output: z =>
    z.object({
      outcome: z.enum(['synced', 'would-sync']),
      added: z.array(z.string()),
      updated: z.array(z.string()),
      removed: z.array(z.string()),
      published: z.boolean(),
    }),
  examples: [{ description: 'publish the test domains now', input: {} }],
  async run({ credentials, dryRun, client }) {
    if (dryRun) {
      return {
        outcome: 'would-sync' as const,
        added: [],
        updated: [],
        removed: [],
        published: false,
      };
    }
    const { body } = await client.request<TestEnvironmentSyncResult>(
      credentials,
      'nginx',
      'POST',
      '/test-environments/sync',
    );
    if (body.publish && !body.publish.ok) {
      throw new Error(
        `the test domains were saved, but not every nginx node took the publish: ${body.publish.delivery
          .filter(d => !d.ok)
          .map(d => `${d.node}: ${d.message}`)
          .join('; ')}`,
      );
    }
    return {
      outcome: 'synced' as const,
      added: body.added,
      updated: body.updated,
      removed: body.removed,
      published: Boolean(body.publish),
    };
  },
});
