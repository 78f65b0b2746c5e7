import { ConfigReader } from '@backstage/config';
import {
  checkOwnerMembers,
  ipv4Of,
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
