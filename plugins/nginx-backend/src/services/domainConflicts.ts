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

/**
 * Where `domain` collides with the other domains of its cluster (a domain of the same name is
 * the one being replaced and is skipped). Returns one message per collision, empty when none.
 * Costs one pass over the others' names: no rendering, no nginx.
 */
export function findConflicts(domain: Domain, others: Iterable<Domain>) {
  const mine = domainClaims(domain);
  const found: string[] = [];
  for (const other of others) {
    if (other.name === domain.name) continue;
    for (const key of domainClaims(other).keys()) {
      const claim = mine.get(key);
      if (claim) {
        found.push(
          `${claim.field}: ${claim.label} is already used by domain '${other.name}'`,
        );
      }
    }
  }
  return found;
}
