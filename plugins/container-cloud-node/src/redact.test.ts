import { describeKubeError } from './clusters/ClusterConnection';
import { redactUrl, redactUrlsIn } from './redact';

describe('redactUrl', () => {
  it('drops the user name, password and query of a URL', () => {
    expect(
      redactUrl('https://admin:s3cret@prometheus.example.com/api?x=1'),
    ).toBe('https://***@prometheus.example.com/api?***');
  });
});

describe('redactUrlsIn', () => {
  it('redacts every URL in a message and leaves the rest', () => {
    expect(
      redactUrlsIn(
        'request to https://admin:s3cret@10.0.0.1:6443/apis/apps/v1?token=abc failed, reason: socket hang up',
      ),
    ).toBe(
      'request to https://***@10.0.0.1:6443/apis/apps/v1?*** failed, reason: socket hang up',
    );
  });
});

describe('describeKubeError', () => {
  it("shows a client error's message without the credentials of the URL it quotes", () => {
    const error = new Error(
      'request to https://portal:t0ken@apiserver.internal:6443/api/v1/pods?labelSelector=x failed, reason: self-signed certificate',
    );
    expect(describeKubeError(error)).toBe(
      'request to https://***@apiserver.internal:6443/api/v1/pods?*** failed, reason: self-signed certificate',
    );
  });
});
