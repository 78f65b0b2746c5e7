import { ApiException } from '@kubernetes/client-node';
import { ClusterWriteError } from './DeploymentOperations';

describe('ClusterWriteError', () => {
  const apiserver = (code: number) =>
    new ApiException(code, `HTTP ${code}`, {}, {});

  it('is 503 when the cluster did not answer', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    const error = new ClusterWriteError('local-b', 'unreachable', refused);
    expect(error.statusCode).toBe(503);
    expect(error.message).toBe('cluster local-b: unreachable');
    expect(new ClusterWriteError('local-b', 'no cause').statusCode).toBe(503);
  });

  it('is 400 when the apiserver found the request invalid', () => {
    expect(new ClusterWriteError('a', 'x', apiserver(422)).statusCode).toBe(
      400,
    );
    expect(new ClusterWriteError('a', 'x', apiserver(400)).statusCode).toBe(
      400,
    );
  });

  it('is 502 when the apiserver answered with another error', () => {
    for (const code of [401, 403, 500, 503]) {
      expect(new ClusterWriteError('a', 'x', apiserver(code)).statusCode).toBe(
        502,
      );
    }
  });
});
