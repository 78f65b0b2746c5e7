import type { Domain } from '@internal/plugin-container-cloud-common';
import { globalNames } from '../render';

/**
 * What one domain's file shares with the rest of its cluster, when nginx parses them together:
 * the upstream and variable names (global to `http {}`) and the server names on each listen
 * address. Everything else in a domain's file refers only to what the same file defines, so a
 * domain that passes `nginx -t` alone and has none of these in common with the others passes it
 * with them too.
 */
export interface DomainClaim {
  /** what the claim is, as a person reads it */
  label: string;
  /** the domain field it comes from, for the message */
  field: string;
}

/** nginx's own listen address of a `listen` entry: `listen 80` is 0.0.0.0:80. */
export function listenAddress(listen: { address?: string; port: number }) {
  return `${listen.address ?? '0.0.0.0'}:${listen.port}`;
}

/** The claims of one domain, keyed case-insensitively as nginx compares them. */
export function domainClaims(domain: Domain): Map<string, DomainClaim> {
  const claims = new Map<string, DomainClaim>();
  const { upstreams, variables } = globalNames(domain);
  upstreams.forEach((id, u) =>
    claims.set(`upstream ${id.toLowerCase()}`, {
      label: `upstream '${id}'`,
      field: `upstreams[${u}].name`,
    }),
  );
  for (const name of variables) {
    claims.set(`variable ${name.toLowerCase()}`, {
      label: `variable '${name}'`,
      field: 'grayRelease',
    });
  }
  domain.listen.forEach((listen, l) => {
    const address = listenAddress(listen);
    domain.serverNames.forEach((serverName, s) =>
      claims.set(`server ${address} ${serverName.toLowerCase()}`, {
        label: `server name '${serverName}' on ${address}`,
        field: `serverNames[${s}] / listen[${l}]`,
      }),
    );
  });
  return claims;
}

/** The keys of a domain's claims, without their labels: what the rest of the cluster is read as. */
export function claimKeys(domain: Domain): string[] {
  const { upstreams, variables } = globalNames(domain);
  const keys = [
    ...upstreams.map(id => `upstream ${id.toLowerCase()}`),
    ...variables.map(name => `variable ${name.toLowerCase()}`),
  ];
  for (const listen of domain.listen) {
    const address = listenAddress(listen);
    for (const serverName of domain.serverNames) {
      keys.push(`server ${address} ${serverName.toLowerCase()}`);
    }
  }
  return keys;
}

/** The messages for the claims of `domain` that `owners` (claim key → domain names) give another. */
export function conflictsWith(
  domain: Domain,
  owners: (key: string) => Iterable<string> | undefined,
): string[] {
  const found: string[] = [];
  for (const [key, claim] of domainClaims(domain)) {
    let other: string | undefined;
    for (const name of owners(key) ?? []) {
      if (name !== domain.name) {
        other = name;
        break;
      }
    }
    if (other !== undefined) {
      found.push(
        `${claim.field}: ${claim.label} is already used by domain '${other}'`,
      );
    }
  }
  return found;
}

/**
 * Where `domain` collides with the other domains of its cluster (a domain of the same name is
 * the one being replaced and is skipped). Returns one message per collision, empty when none.
 * Costs one pass over the others' names: no rendering, no nginx.
 */
export function findConflicts(domain: Domain, others: Iterable<Domain>) {
  const owners = new Map<string, string[]>();
  for (const other of others) {
    if (other.name === domain.name) continue;
    for (const key of claimKeys(other)) {
      if (!owners.has(key)) owners.set(key, [other.name]);
    }
  }
  return conflictsWith(domain, key => owners.get(key));
}
