import { ConfigReader } from '@backstage/config';
import {
  checkOwnerMemberNames,
  checkOwnerMembers,
  forbiddenMembers,
  ipv4Of,
  MemberLookup,
  readForbiddenMembers,
  whyForbidden,
} from './memberPolicy';

const dotted = (ip?: number) =>
  ip === undefined
    ? undefined
    : [24, 16, 8, 0].map(s => Math.floor(ip / 2 ** s) % 256).join('.');

describe('ipv4Of', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0x10', '0.0.0.16'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['localhost', '127.0.0.1'],
    ['api.localhost', '127.0.0.1'],
    ['10.1.2.3', '10.1.2.3'],
  ])('reads %s as %s, as resolvers do', (address, expected) => {
    expect(dotted(ipv4Of(address))).toBe(expected);
  });

  it.each([
    'shop.example.com',
    '1.2.3.4.5',
    '256.1.1.1',
    '4294967296',
    '08.1.1.1',
  ])('leaves %s to DNS', address => {
    expect(ipv4Of(address)).toBeUndefined();
  });
});

describe('whyForbidden', () => {
  const forbidden = readForbiddenMembers(new ConfigReader({}), [
    {
      name: 'prod',
      url: 'https://10.0.0.1:6443',
      skipTLSVerify: false,
    },
    { name: 'named', url: 'https://k8s.internal', skipTLSVerify: false },
  ]);

  it.each([
    [
      '169.254.169.254',
      80,
      '169.254.169.254 is in 169.254.0.0/16 (link-local, where cloud metadata services answer)',
    ],
    ['2130706433', 8080, '2130706433 (127.0.0.1) is in 127.0.0.0/8 (loopback)'],
    ['0177.0.0.1', 80, '0177.0.0.1 (127.0.0.1) is in 127.0.0.0/8 (loopback)'],
    ['0x10', 80, '0x10 (0.0.0.16) is in 0.0.0.0/8 (this network)'],
    ['localhost', 80, 'localhost (127.0.0.1) is in 127.0.0.0/8 (loopback)'],
    ['10.0.0.1', 6443, '10.0.0.1:6443 is the apiserver of cluster prod'],
    ['k8s.internal', 443, 'k8s.internal:443 is the apiserver of cluster named'],
  ])('refuses %s:%s', (address, port, reason) => {
    expect(whyForbidden({ address, port }, forbidden)).toBe(reason);
  });

  it.each([
    ['10.0.0.1', 8080],
    ['10.20.30.40', 80],
    ['shop-backend.internal', 8080],
  ])('lets owners use %s:%s', (address, port) => {
    expect(whyForbidden({ address, port }, forbidden)).toBeUndefined();
  });

  it('takes configured ranges instead of the default ones, and always the apiservers', () => {
    const localCloud = readForbiddenMembers(
      new ConfigReader({
        containerCloud: {
          nginx: { forbiddenMemberRanges: ['169.254.0.0/16'] },
        },
      }),
      [
        {
          name: 'local-a',
          url: 'https://127.0.0.1:16403',
          skipTLSVerify: false,
        },
      ],
    );
    expect(whyForbidden({ address: '127.0.0.1', port: 8080 }, localCloud)).toBe(
      undefined,
    );
    expect(
      whyForbidden({ address: '127.0.0.1', port: 16403 }, localCloud),
    ).toBe('127.0.0.1:16403 is the apiserver of cluster local-a');
    expect(() =>
      readForbiddenMembers(
        new ConfigReader({
          containerCloud: { nginx: { forbiddenMemberRanges: ['10.0.0.0/33'] } },
        }),
        [],
      ),
    ).toThrow(
      'containerCloud.nginx.forbiddenMemberRanges: "10.0.0.0/33" is no IPv4 range such as 169.254.0.0/16',
    );
  });

  it('names every refused member in one 403', () => {
    expect(() =>
      checkOwnerMembers(
        [
          {
            name: 'stable',
            members: [
              { address: '10.1.1.1', port: 80 },
              { address: '169.254.169.254', port: 80 },
              { address: 'localhost', port: 80 },
            ],
          },
        ],
        forbidden,
      ),
    ).toThrow(
      'only ops admins may point a domain at these addresses (containerCloud.nginx.forbiddenMemberRanges): upstream stable: 169.254.169.254 is in 169.254.0.0/16 (link-local, where cloud metadata services answer); upstream stable: localhost (127.0.0.1) is in 127.0.0.0/8 (loopback)',
    );
  });
});

describe('checkOwnerMemberNames', () => {
  const forbidden = forbiddenMembers(
    ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16'],
    [{ name: 'prod', url: 'https://10.0.0.1:6443' }],
  );
  const upstream = (address: string, port = 80) => [
    {
      name: 'stable',
      members: [
        { address: '10.1.1.1', port },
        { address, port },
      ],
    },
  ];
  /** A resolver with fixed answers, for the addresses no real name here resolves to. */
  const answers =
    (addresses: string[]): MemberLookup =>
    async () =>
      addresses.map(address => ({
        address,
        family: address.includes(':') ? 6 : 4,
      }));

  it('resolves localhost through the system resolver and refuses its loopback address', async () => {
    await expect(
      checkOwnerMemberNames(upstream('localhost'), forbidden),
    ).rejects.toThrow(
      /^only ops admins may point a domain at these names \(containerCloud\.nginx\.forbiddenMemberRanges\): upstream stable: localhost resolves to (127\.0\.0\.1|::1 \(read as 127\.0\.0\.1\)), and 127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(loopback\)$/,
    );
  });

  it('refuses a name that does not resolve', async () => {
    await expect(
      checkOwnerMemberNames(upstream('no-such-host.invalid'), forbidden),
    ).rejects.toThrow(
      /upstream stable: no-such-host\.invalid does not resolve \(\w+\); a name that does not resolve now could later point anywhere$/,
    );
  });

  it('refuses a name whose lookup does not answer in time', async () => {
    await expect(
      checkOwnerMemberNames(upstream('slow.example.com'), forbidden, {
        lookup: () => new Promise(() => {}),
        timeoutMs: 50,
      }),
    ).rejects.toThrow(
      'upstream stable: slow.example.com does not resolve (no answer within 50 ms)',
    );
  });

  it.each([
    [
      ['10.20.30.40', '169.254.169.254'],
      80,
      'metadata.example.com resolves to 169.254.169.254, and 169.254.169.254 is in 169.254.0.0/16 (link-local, where cloud metadata services answer)',
    ],
    [
      ['::ffff:169.254.169.254'],
      80,
      'metadata.example.com resolves to ::ffff:169.254.169.254 (read as 169.254.169.254), and 169.254.169.254 is in 169.254.0.0/16 (link-local, where cloud metadata services answer)',
    ],
    [
      ['fe80::1'],
      80,
      'metadata.example.com resolves to fe80::1 (read as 169.254.0.0), and 169.254.0.0 is in 169.254.0.0/16 (link-local, where cloud metadata services answer)',
    ],
    [
      ['10.0.0.1'],
      6443,
      'metadata.example.com resolves to 10.0.0.1, and 10.0.0.1:6443 is the apiserver of cluster prod',
    ],
  ])(
    'refuses a name resolving to %j (port %s): every address is checked',
    async (addresses, port, reason) => {
      await expect(
        checkOwnerMemberNames(
          upstream('metadata.example.com', port),
          forbidden,
          { lookup: answers(addresses) },
        ),
      ).rejects.toThrow(`upstream stable: ${reason}`);
    },
  );

  it('lets owners use a name whose every address is allowed, and looks up no numeric form', async () => {
    const looked: string[] = [];
    await expect(
      checkOwnerMemberNames(
        [
          {
            name: 'stable',
            members: [
              { address: 'shop-backend.example.com', port: 8080 },
              { address: '10.1.1.1', port: 80 },
              { address: '2130706433', port: 80 },
            ],
          },
        ],
        forbidden,
        {
          lookup: async name => {
            looked.push(name);
            return [
              { address: '10.20.30.40', family: 4 },
              { address: '2001:db8::1', family: 6 },
            ];
          },
        },
      ),
    ).resolves.toBeUndefined();
    expect(looked).toEqual(['shop-backend.example.com']);
  });
});
