import type {
  Domain,
  KubernetesSource,
  Upstream,
  UpstreamMember,
} from '../../api/NginxClient';

/** A domain as the editor's text fields hold it. */
export interface DomainForm {
  name: string;
  cluster: string;
  owner: string;
  serverNames: string;
  listen: string;
  /** one upstream a line: `name: member, member, …` */
  upstreams: string;
  /** one location a line: `path upstream` */
  locations: string;
  grayStable: string;
  grayCanary: string;
  grayPercent: string;
  headerName: string;
  headerValue: string;
  cookieName: string;
  cookieValue: string;
}

/** A form problem: the field it belongs to and what is wrong. */
export class FormError extends Error {
  constructor(readonly field: keyof DomainForm | string, message: string) {
    super(message);
  }
}

function memberText(m: UpstreamMember) {
  const parts = [`${m.address}:${m.port}`];
  if (m.weight !== undefined) parts.push(`weight=${m.weight}`);
  if (m.maxFails !== undefined) parts.push(`max_fails=${m.maxFails}`);
  if (m.failTimeoutSeconds !== undefined)
    parts.push(`fail_timeout=${m.failTimeoutSeconds}s`);
  if (m.backup) parts.push('backup');
  return parts.join(' ');
}

function sourceText(s: KubernetesSource) {
  const parts = [`k8s:${s.cluster}/${s.namespace}/${s.service}:${s.port}`];
  if (s.weight !== undefined) parts.push(`weight=${s.weight}`);
  if (s.maxFails !== undefined) parts.push(`max_fails=${s.maxFails}`);
  if (s.failTimeoutSeconds !== undefined)
    parts.push(`fail_timeout=${s.failTimeoutSeconds}s`);
  return parts.join(' ');
}

/** The members of an upstream as one line of text. */
export function membersText(upstream: Upstream): string {
  return [
    ...upstream.members.map(memberText),
    ...(upstream.kubernetes ?? []).map(sourceText),
  ].join(', ');
}

function whole(text: string, field: string, what: string): number {
  if (!/^\d+$/.test(text)) {
    throw new FormError(field, `${what} must be a whole number, not '${text}'`);
  }
  return Number(text);
}

/**
 * Reads `address:port [weight=N] [max_fails=N] [fail_timeout=Ns] [backup]` and
 * `k8s:cluster/namespace/service:port [weight=N] …`, comma-separated. The backend checks every
 * value again; this only gives them their structure.
 */
export function parseMembers(
  text: string,
  field = 'upstreams',
): { members: UpstreamMember[]; kubernetes: KubernetesSource[] } {
  const members: UpstreamMember[] = [];
  const kubernetes: KubernetesSource[] = [];
  for (const item of text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)) {
    const [target, ...options] = item.split(/\s+/);
    const settings: {
      weight?: number;
      maxFails?: number;
      failTimeoutSeconds?: number;
      backup?: boolean;
    } = {};
    for (const option of options) {
      const [key, value] = option.split('=');
      if (key === 'backup' && value === undefined) settings.backup = true;
      else if (key === 'weight')
        settings.weight = whole(value ?? '', field, 'weight');
      else if (key === 'max_fails')
        settings.maxFails = whole(value ?? '', field, 'max_fails');
      else if (key === 'fail_timeout')
        settings.failTimeoutSeconds = whole(
          (value ?? '').replace(/s$/, ''),
          field,
          'fail_timeout',
        );
      else throw new FormError(field, `unknown member option '${option}'`);
    }
    const k8s = /^k8s:([^/]+)\/([^/]+)\/([^:]+):(.+)$/.exec(target);
    if (k8s) {
      if (settings.backup) {
        throw new FormError(field, 'a Kubernetes Service cannot be a backup');
      }
      const { backup: _backup, ...rest } = settings;
      kubernetes.push({
        cluster: k8s[1],
        namespace: k8s[2],
        service: k8s[3],
        port: /^\d+$/.test(k8s[4]) ? Number(k8s[4]) : k8s[4],
        ...rest,
      });
      continue;
    }
    const at = target.lastIndexOf(':');
    if (at <= 0) {
      throw new FormError(field, `'${target}' is not address:port`);
    }
    members.push({
      address: target.slice(0, at),
      port: whole(target.slice(at + 1), field, 'a port'),
      ...settings,
    });
  }
  return { members, kubernetes };
}

export function domainToForm(domain: Domain): DomainForm {
  const gray = domain.grayRelease;
  return {
    name: domain.name,
    cluster: domain.cluster,
    owner: domain.owner ?? '',
    serverNames: domain.serverNames.join(' '),
    listen: domain.listen
      .map(l => (l.address ? `${l.address}:${l.port}` : `${l.port}`))
      .join(' '),
    upstreams: domain.upstreams
      .map(u => `${u.name}: ${membersText(u)}`)
      .join('\n'),
    locations: domain.locations.map(l => `${l.path} ${l.upstream}`).join('\n'),
    grayStable: gray?.stable ?? '',
    grayCanary: gray?.canary ?? '',
    grayPercent: gray ? String(gray.canaryPercent) : '',
    headerName: gray?.header?.name ?? '',
    headerValue: gray?.header?.value ?? '',
    cookieName: gray?.cookie?.name ?? '',
    cookieValue: gray?.cookie?.value ?? '',
  };
}

export function emptyForm(cluster: string): DomainForm {
  return {
    name: '',
    cluster,
    owner: '',
    serverNames: '',
    listen: '80',
    upstreams: 'app: ',
    locations: '/ app',
    grayStable: '',
    grayCanary: '',
    grayPercent: '',
    headerName: '',
    headerValue: '',
    cookieName: '',
    cookieValue: '',
  };
}

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);
const lines = (text: string) =>
  text
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean);

/** The domain the form describes; throws a FormError naming the field it cannot read. */
export function formToDomain(form: DomainForm): Domain {
  const listen = words(form.listen).map(item => {
    const at = item.lastIndexOf(':');
    return at > 0
      ? {
          address: item.slice(0, at),
          port: whole(item.slice(at + 1), 'listen', 'a port'),
        }
      : { port: whole(item, 'listen', 'a port') };
  });
  const upstreams: Upstream[] = lines(form.upstreams).map(line => {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new FormError('upstreams', `'${line}' is not 'name: members'`);
    }
    const { members, kubernetes } = parseMembers(line.slice(colon + 1));
    return {
      name: line.slice(0, colon).trim(),
      members,
      ...(kubernetes.length ? { kubernetes } : {}),
    };
  });
  const locations = lines(form.locations).map(line => {
    const [path, upstream, ...rest] = line.split(/\s+/);
    if (!upstream || rest.length) {
      throw new FormError('locations', `'${line}' is not 'path upstream'`);
    }
    return { path, upstream };
  });
  const domain: Domain = {
    name: form.name.trim(),
    cluster: form.cluster,
    ...(form.owner.trim() ? { owner: form.owner.trim() } : {}),
    serverNames: words(form.serverNames),
    listen,
    upstreams,
    locations,
  };
  if (form.grayStable.trim() || form.grayCanary.trim()) {
    domain.grayRelease = {
      stable: form.grayStable.trim(),
      canary: form.grayCanary.trim(),
      canaryPercent: whole(
        form.grayPercent.trim() || '0',
        'grayRelease',
        'the canary share',
      ),
      ...(form.headerName.trim()
        ? {
            header: {
              name: form.headerName.trim(),
              value: form.headerValue.trim(),
            },
          }
        : {}),
      ...(form.cookieName.trim()
        ? {
            cookie: {
              name: form.cookieName.trim(),
              value: form.cookieValue.trim(),
            },
          }
        : {}),
    };
  }
  return domain;
}
