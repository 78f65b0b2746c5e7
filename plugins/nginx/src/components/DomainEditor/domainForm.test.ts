import { shopDomain } from '../../testUtils/fakeNginxApi';
import {
  domainToForm,
  FormError,
  formToDomain,
  parseMembers,
} from './domainForm';

describe('domainForm', () => {
  it('turns a domain into text fields and back unchanged', () => {
    expect(formToDomain(domainToForm(shopDomain))).toEqual(shopDomain);
  });

  it('reads member options and Kubernetes sources', () => {
    expect(
      parseMembers(
        '10.0.0.1:80 weight=2 max_fails=3 fail_timeout=10s, 10.0.0.2:80 backup, k8s:a/ns/svc:8080 weight=4',
      ),
    ).toEqual({
      members: [
        {
          address: '10.0.0.1',
          port: 80,
          weight: 2,
          maxFails: 3,
          failTimeoutSeconds: 10,
        },
        { address: '10.0.0.2', port: 80, backup: true },
      ],
      kubernetes: [
        {
          cluster: 'a',
          namespace: 'ns',
          service: 'svc',
          port: 8080,
          weight: 4,
        },
      ],
    });
  });

  it.each([
    ['10.0.0.1:80 weight=x', "weight must be a whole number, not 'x'"],
    ['10.0.0.1:80 rewrite=/', "unknown member option 'rewrite=/'"],
    ['k8s:a/b/c:http backup', 'a Kubernetes Service cannot be a backup'],
  ])('refuses %s', (text, message) => {
    expect(() => parseMembers(text)).toThrow(FormError);
    expect(() => parseMembers(text)).toThrow(message);
  });
});
