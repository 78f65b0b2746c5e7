import type * as wire from '@internal/plugin-container-cloud-common';
import { z } from 'zod';

// RFC 1123 labels, lowercase ASCII only: lookalike letters from other scripts never match
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^(?:${LABEL}\\.)*${LABEL}$`);
const WILDCARD_HOSTNAME = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);
const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._~/-]*$/;
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const COOKIE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MATCH_VALUE = /^[A-Za-z0-9._-]{1,64}$/;
// words with a meaning of their own as the first token of a `map` entry
const MAP_RESERVED = new Set(['default', 'hostnames', 'include', 'volatile']);

const slug = (what: string) =>
  z
    .string()
    .max(63, `${what} is at most 63 characters`)
    .regex(
      SLUG,
      `${what} must be lowercase letters, digits and '-' (an RFC 1123 label)`,
    );

export const serverNameSchema = z
  .string()
  .max(253, 'a server name is at most 253 characters')
  .regex(
    WILDCARD_HOSTNAME,
    "a server name must be a lowercase RFC 1123 hostname, optionally starting with '*.'",
  );

export const portSchema = z
  .number()
  .int('a port is a whole number')
  .min(1, 'a port is 1..65535')
  .max(65535, 'a port is 1..65535');

export const addressSchema = z
  .string()
  .max(253, 'an address is at most 253 characters')
  .refine(
    value => IPV4.test(value) || HOSTNAME.test(value),
    'an address must be an IPv4 address or a lowercase RFC 1123 hostname',
  );

export const upstreamMemberSchema = z.strictObject({
  address: addressSchema,
  port: portSchema,
  weight: z.number().int().min(1).max(100).optional(),
  maxFails: z.number().int().min(0).max(100).optional(),
  failTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  backup: z.boolean().optional(),
});

// an IANA service name as Kubernetes ports use it: lowercase, at least one letter
const PORT_NAME = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * The ready endpoints of a Kubernetes Service, followed as pods come and go. `port` is the
 * endpoint (container) port: its number, or its name in the Service.
 */
export const kubernetesSourceSchema = z.strictObject({
  cluster: slug('a Kubernetes cluster name'),
  namespace: slug('a namespace'),
  service: slug('a Service name'),
  port: z.union([
    portSchema,
    z
      .string()
      .regex(
        PORT_NAME,
        'a port name is 1..15 lowercase letters, digits and -, with a letter',
      ),
  ]),
  weight: z.number().int().min(1).max(100).optional(),
  maxFails: z.number().int().min(0).max(100).optional(),
  failTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
});

export const upstreamSchema = z
  .strictObject({
    name: slug('an upstream name'),
    /** static members, e.g. VM addresses */
    members: z.array(upstreamMemberSchema).max(256),
    /** Kubernetes Services whose ready endpoints are members too */
    kubernetes: z.array(kubernetesSourceSchema).max(8).optional(),
  })
  .refine(
    upstream =>
      upstream.members.length + (upstream.kubernetes?.length ?? 0) > 0,
    {
      message: 'an upstream needs a static member or a Kubernetes Service',
      path: ['members'],
    },
  );

/** The part of a domain its owners may edit: the members of its upstreams. */
export const upstreamMembersSchema = z.strictObject({
  upstreams: z
    .array(
      z.strictObject({
        name: slug('an upstream name'),
        members: z.array(upstreamMemberSchema).max(256),
        kubernetes: z.array(kubernetesSourceSchema).max(8).optional(),
      }),
    )
    .min(1)
    .max(32),
});

// the catalog entity that owns a domain: a Component, as `component:<namespace>/<name>`
const COMPONENT_REF =
  /^component:[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?\/[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

export const locationSchema = z.strictObject({
  path: z
    .string()
    .max(256, 'a location path is at most 256 characters')
    .regex(
      PATH,
      "a location path starts with '/' and holds only letters, digits and . _ ~ / -",
    ),
  upstream: slug('an upstream name'),
});

const matchValue = z
  .string()
  .regex(MATCH_VALUE, 'a match value is 1..64 letters, digits, . _ or -')
  .refine(
    value => !MAP_RESERVED.has(value),
    'default, hostnames, include and volatile cannot be match values',
  );

export const grayReleaseSchema = z.strictObject({
  /** locations pointing at `stable` are split between it and `canary` */
  stable: slug('an upstream name'),
  canary: slug('an upstream name'),
  /** share of requests sent to the canary, 0..100 */
  canaryPercent: z.number().int().min(0).max(100),
  /** requests with this header value always go to the canary */
  header: z
    .strictObject({
      name: z
        .string()
        .regex(HEADER_NAME, 'a header name is letters, digits and -'),
      value: matchValue,
    })
    .optional(),
  /** requests with this cookie value always go to the canary */
  cookie: z
    .strictObject({
      name: z
        .string()
        .regex(COOKIE_NAME, 'a cookie name is letters, digits and _'),
      value: matchValue,
    })
    .optional(),
});

export const listenSchema = z.strictObject({
  address: z
    .string()
    .regex(IPV4, 'a listen address is an IPv4 address')
    .optional(),
  port: portSchema,
});

export const domainSchema = z
  .strictObject({
    name: slug('a domain name'),
    cluster: slug('a cluster name'),
    /** the service the domain belongs to; its owners may edit the upstream members */
    owner: z
      .string()
      .max(200, 'an owner is at most 200 characters')
      .regex(
        COMPONENT_REF,
        "an owner is a catalog Component's ref, e.g. component:default/payments-api",
      )
      .optional(),
    serverNames: z.array(serverNameSchema).min(1).max(32),
    listen: z.array(listenSchema).min(1).max(4),
    upstreams: z.array(upstreamSchema).min(1).max(32),
    locations: z.array(locationSchema).min(1).max(64),
    grayRelease: grayReleaseSchema.optional(),
  })
  .superRefine((domain, ctx) => {
    const names = domain.upstreams.map(u => u.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) {
        ctx.addIssue({
          code: 'custom',
          path: ['upstreams', i, 'name'],
          message: `upstream '${name}' is defined twice`,
        });
      }
    });
    domain.locations.forEach((location, i) => {
      if (!names.includes(location.upstream)) {
        ctx.addIssue({
          code: 'custom',
          path: ['locations', i, 'upstream'],
          message: `no upstream named '${location.upstream}'`,
        });
      }
    });
    const gray = domain.grayRelease;
    if (gray) {
      for (const key of ['stable', 'canary'] as const) {
        if (!names.includes(gray[key])) {
          ctx.addIssue({
            code: 'custom',
            path: ['grayRelease', key],
            message: `no upstream named '${gray[key]}'`,
          });
        }
      }
      if (gray.stable === gray.canary) {
        ctx.addIssue({
          code: 'custom',
          path: ['grayRelease', 'canary'],
          message: 'the canary must be another upstream than the stable one',
        });
      }
    }
  });

type Probe<X> = <T>() => T extends X ? 1 : 2;
/** true when A and B are the same type, field for field and at every depth; false otherwise. */
type Same<A, B> = Probe<A> extends Probe<B> ? true : false;

/**
 * `Wire`, once `_Same` is true: `Agreed<Wire, Same<z.infer<typeof schema>, Wire>>` compiles only
 * while what the schema parses to is exactly the API type (from the common package), so the
 * validation and the types the frontend sees cannot drift apart.
 */
type Agreed<Wire, _Same extends true> = Wire;

/** One domain of an nginx cluster, as its owners and ops describe it. */
export type Domain = Agreed<
  wire.Domain,
  Same<z.infer<typeof domainSchema>, wire.Domain>
>;
export type Upstream = Agreed<
  wire.Upstream,
  Same<z.infer<typeof upstreamSchema>, wire.Upstream>
>;
export type UpstreamMember = Agreed<
  wire.UpstreamMember,
  Same<z.infer<typeof upstreamMemberSchema>, wire.UpstreamMember>
>;
export type KubernetesSource = Agreed<
  wire.KubernetesSource,
  Same<z.infer<typeof kubernetesSourceSchema>, wire.KubernetesSource>
>;
export type GrayRelease = Agreed<
  wire.GrayRelease,
  Same<z.infer<typeof grayReleaseSchema>, wire.GrayRelease>
>;
export type UpstreamMembersChange = Agreed<
  wire.UpstreamMembersChange,
  Same<z.infer<typeof upstreamMembersSchema>, wire.UpstreamMembersChange>
>;
