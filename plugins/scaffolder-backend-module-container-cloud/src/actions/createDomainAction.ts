import {
  domainSaveSchema,
  DomainSave,
  PublishResult,
  RenderedDomain,
} from '@internal/plugin-container-cloud-common';
import { ConflictError } from '@backstage/errors';
import { componentRef, entityPageUrl } from '../lib/entities';
import { parseContract, suiteAction } from './SuiteAction';

/** JSON with keys in order, so two descriptions of a domain compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `container-cloud:nginx:domain:create`: a domain of an nginx cluster made from a small template
 * (server names, a listen port, one upstream whose members follow the service's Kubernetes
 * Service in each placement, one location), saved through the nginx backend as the user, and
 * published when asked. Saving domains is ops admins' (the nginx backend's own rule): for anyone
 * else the step fails with its words. Idempotent: the same domain saved earlier is `unchanged`;
 * another one of that name fails the step and changes nothing.
 */
export const createDomainAction = suiteAction({
  id: 'container-cloud:nginx:domain:create',
  registryName: 'container-cloud-nginx-domain-create',
  title: 'Create an nginx domain for a service',
  description:
    "Saves a domain on an nginx cluster whose upstream members follow the service's Kubernetes Service in each placement (its ready pods), owned by the service, and publishes the cluster when asked. Acts as the calling user, under the nginx domain-edit (and publish) permissions; idempotent; a dry run saves nothing.",
  input: z =>
    z.object({
      entityRef: z.string().describe('the Component that owns the domain'),
      nginxCluster: z.string().describe('the nginx cluster'),
      name: z
        .string()
        .optional()
        .describe("the domain's name (default: the entity's name)"),
      serverNames: z
        .array(z.string())
        .min(1)
        .describe('host names, e.g. payments.example.com'),
      listenPort: z.number().int().default(80),
      path: z.string().default('/').describe('the location to route'),
      service: z
        .string()
        .optional()
        .describe("the Kubernetes Service's name (default: the entity's name)"),
      port: z
        .union([z.number().int(), z.string()])
        .describe('the container port (number or name) behind the Service'),
      placements: z
        .array(z.object({ cluster: z.string(), namespace: z.string() }))
        .min(1)
        .describe('where the service runs'),
      publish: z
        .boolean()
        .default(false)
        .describe('publish the nginx cluster after saving'),
    }),
  output: z =>
    z.object({
      domain: z.string(),
      nginxCluster: z.string(),
      outcome: z.enum(['created', 'unchanged', 'would-create']),
      version: z.number().optional(),
      published: z.boolean(),
      url: z.string().describe('the first server name, over http'),
      domainsUrl: z.string().describe("the entity's Domains tab"),
    }),
  examples: [
    {
      description: 'payments.example.com in front of payments-api',
      input: {
        entityRef: 'component:default/payments-api',
        nginxCluster: 'local',
        name: 'payments-api',
        serverNames: ['payments.example.com'],
        listenPort: 80,
        path: '/',
        port: 8080,
        placements: [{ cluster: 'local-a', namespace: 'payments' }],
        publish: false,
      },
    },
  ],
  async run({ input, credentials, dryRun, client, appBaseUrl }) {
    const component = componentRef(input.entityRef);
    const service = input.service ?? component.name;
    const upstream = service;
    const save: DomainSave = parseContract(
      domainSaveSchema,
      {
        name: input.name ?? component.name,
        cluster: input.nginxCluster,
        owner: component.ref,
        serverNames: input.serverNames,
        listen: [{ port: input.listenPort }],
        upstreams: [
          {
            name: upstream,
            members: [],
            kubernetes: input.placements.map(p => ({
              cluster: p.cluster,
              namespace: p.namespace,
              service,
              port: input.port,
            })),
          },
        ],
        locations: [{ path: input.path, upstream }],
        version: 0,
      },
      'domain',
    );
    const { version: _new, ...wanted } = save;
    const where = `/domains/${encodeURIComponent(
      save.cluster,
    )}/${encodeURIComponent(save.name)}`;
    const common = {
      domain: save.name,
      nginxCluster: save.cluster,
      url: `http://${save.serverNames[0]}`,
      domainsUrl: entityPageUrl(appBaseUrl, component, 'domains'),
    };
    const found = await client.request<
      RenderedDomain | { error: { message: string } }
    >(credentials, 'nginx', 'GET', where, { accept: [404] });
    if (found.status === 200) {
      const { version, ...existing } = (found.body as RenderedDomain).domain;
      if (canonical(existing) !== canonical(wanted)) {
        throw new ConflictError(
          `nginx cluster ${save.cluster} has a domain named '${save.name}' already (version ${version}), defined otherwise; nothing was changed: edit it on the Nginx page, or choose another name`,
        );
      }
      return {
        ...common,
        outcome: 'unchanged' as const,
        version,
        published: false,
      };
    }
    if (dryRun) {
      return { ...common, outcome: 'would-create' as const, published: false };
    }
    const { body: saved } = await client.request<RenderedDomain>(
      credentials,
      'nginx',
      'POST',
      '/domains',
      { body: save },
    );
    let published = false;
    if (input.publish) {
      const { body: publish } = await client.request<PublishResult>(
        credentials,
        'nginx',
        'POST',
        '/publish',
        {
          body: {
            cluster: save.cluster,
            message: `domain ${save.name} for ${component.ref}`,
          },
        },
      );
      if (!publish.ok) {
        throw new Error(
          `domain ${save.name} was saved (version ${
            saved.domain.version
          }), but not every nginx node took the publish: ${publish.delivery
            .filter(d => !d.ok)
            .map(d => `${d.node}: ${d.message}`)
            .join('; ')}`,
        );
      }
      published = true;
    }
    return {
      ...common,
      outcome: 'created' as const,
      version: saved.domain.version,
      published,
    };
  },
});
