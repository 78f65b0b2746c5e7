import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LocalCloudError } from './errors';

/** Files of one cluster's public key infrastructure, all under its pki folder. */
export interface ClusterPki {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  kwokCert: string;
  kwokKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  clients: Record<ClientName, { cert: string; key: string }>;
}

/** Identities that talk to an apiserver with a client certificate. */
const CLIENTS = {
  admin: { cn: 'local-cloud-admin', o: 'system:masters' },
  'kube-controller-manager': { cn: 'system:kube-controller-manager' },
  'kube-scheduler': { cn: 'system:kube-scheduler' },
  kwok: { cn: 'kwok', o: 'system:masters' },
} as const;

export type ClientName = keyof typeof CLIENTS;

function openssl(args: string[], dir: string) {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.error) {
    throw new LocalCloudError(
      "openssl is not on PATH; it makes the clusters' certificates: apt-get install -y openssl",
      { component: 'openssl' },
    );
  }
  if (result.status !== 0) {
    throw new LocalCloudError(
      `openssl ${args[0]} failed making certificates in ${dir}: ${
        result.stderr.trim().split('\n')[0]
      }`,
      { component: 'openssl' },
    );
  }
}

function writeOpensslConfig(
  file: string,
  subject: { cn: string; o?: string },
  extensions: string[],
) {
  fs.writeFileSync(
    file,
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      ...(subject.o ? [`O = ${subject.o}`] : []),
      `CN = ${subject.cn}`,
      '[ext]',
      ...extensions,
      '',
    ].join('\n'),
  );
}

const EC_KEY = [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
];

function issue(
  dir: string,
  name: string,
  subject: { cn: string; o?: string },
  extensions: string[],
  ca?: { cert: string; key: string },
) {
  const conf = path.join(dir, `${name}.cnf`);
  writeOpensslConfig(conf, subject, extensions);
  openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '3650',
      '-config',
      conf,
      '-extensions',
      'ext',
      ...(ca ? ['-CA', ca.cert, '-CAkey', ca.key] : []),
    ],
    dir,
  );
  fs.rmSync(conf);
}

const SERVER_EXTENSIONS = (sans: string) => [
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage = serverAuth',
  `subjectAltName = ${sans}`,
];

const CLIENT_EXTENSIONS = [
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage = clientAuth',
];

/**
 * Makes a cluster's own CA (once), and then whatever it lacks of: the apiserver's and kwok's
 * serving certificates, client certificates for the components and the admin, and the
 * service-account signing key pair. A new CA starts everything afresh.
 */
export function ensureClusterPki(dir: string, clusterName: string): ClusterPki {
  const pki = clusterPkiPaths(dir);
  const caComplete = path.join(dir, '.ca-complete');
  if (!fs.existsSync(caComplete)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    issue(dir, 'ca', { cn: `${clusterName}-ca` }, [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier = hash',
    ]);
    fs.writeFileSync(caComplete, new Date().toISOString());
  }
  const ca = { cert: pki.caCert, key: pki.caKey };
  const missing = (name: string) =>
    !fs.existsSync(path.join(dir, `${name}.crt`)) ||
    !fs.existsSync(path.join(dir, `${name}.key`));
  if (missing('apiserver')) {
    issue(
      dir,
      'apiserver',
      { cn: 'kube-apiserver' },
      SERVER_EXTENSIONS(
        'IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
      ),
      ca,
    );
  }
  if (missing('kwok-serving')) {
    issue(
      dir,
      'kwok-serving',
      { cn: `kwok-${clusterName}` },
      SERVER_EXTENSIONS('IP:127.0.0.1,DNS:localhost'),
      ca,
    );
  }
  for (const [name, subject] of Object.entries(CLIENTS)) {
    if (missing(name)) issue(dir, name, subject, CLIENT_EXTENSIONS, ca);
  }
  if (
    !fs.existsSync(pki.serviceAccountKey) ||
    !fs.existsSync(pki.serviceAccountPub)
  ) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    });
    fs.writeFileSync(
      pki.serviceAccountKey,
      privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
    fs.writeFileSync(
      pki.serviceAccountPub,
      publicKey.export({ type: 'spki', format: 'pem' }),
    );
  }
  return pki;
}

/** Where a cluster's certificates and keys are, whether or not they exist yet. */
export function clusterPkiPaths(dir: string): ClusterPki {
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    apiserverCert: file('apiserver.crt'),
    apiserverKey: file('apiserver.key'),
    kwokCert: file('kwok-serving.crt'),
    kwokKey: file('kwok-serving.key'),
    serviceAccountKey: file('service-account.key'),
    serviceAccountPub: file('service-account.pub'),
    clients: Object.fromEntries(
      Object.keys(CLIENTS).map(name => [
        name,
        { cert: file(`${name}.crt`), key: file(`${name}.key`) },
      ]),
    ) as ClusterPki['clients'],
  };
}
