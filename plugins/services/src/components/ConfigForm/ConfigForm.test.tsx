import { fireEvent, render, screen, within } from '@testing-library/react';
import type { DeploymentView } from '@internal/plugin-container-cloud-common';
import { ConfigEdit, ConfigForm, parseEnvLines } from './ConfigForm';

const deployment = {
  namespace: 'payments',
  name: 'payments-api',
  config: {
    containers: [
      {
        container: 'app',
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        envFrom: [],
        resources: {
          requests: { cpu: '100m' },
          limits: { memory: '256Mi' },
        },
        readinessProbe: { path: '/ready', port: 8080 },
      },
    ],
    terminationGracePeriodSeconds: 30,
  },
} as unknown as DeploymentView;

describe('ConfigForm', () => {
  it('reports the edit, keeping requests and the probes left alone', () => {
    const changes: ConfigEdit[] = [];
    render(
      <ConfigForm
        deployment={deployment}
        container="app"
        onContainer={jest.fn()}
        onChange={change => changes.push(change)}
      />,
    );
    fireEvent.change(screen.getByLabelText('CPU limit'), {
      target: { value: '500m' },
    });
    fireEvent.change(screen.getByLabelText('Liveness path'), {
      target: { value: '/health' },
    });
    fireEvent.change(screen.getByLabelText('Liveness port'), {
      target: { value: '8081' },
    });
    expect(changes[changes.length - 1]).toEqual({
      container: 'app',
      env: [{ name: 'LOG_LEVEL', value: 'info' }],
      resources: {
        requests: { cpu: '100m' },
        limits: { cpu: '500m', memory: '256Mi' },
      },
      readinessProbe: { path: '/ready', port: 8080 },
      livenessProbe: { path: '/health', port: 8081 },
      terminationGracePeriodSeconds: 30,
    });
  });

  it('reads NAME=value lines, skipping blanks and comments', () => {
    expect(parseEnvLines('A=1\n\n# a comment\n B = x=y \nFLAG')).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: ' x=y' },
      { name: 'FLAG', value: '' },
    ]);
  });

  it('shows the variables read from Secrets as where they come from, read only, and sends only the plain ones', () => {
    const changes: ConfigEdit[] = [];
    const withSecret = {
      ...deployment,
      config: {
        ...deployment.config,
        containers: [
          {
            ...deployment.config.containers[0],
            envFrom: ['REDIS_PASSWORD', 'FROM_CONFIGMAP'],
            secretEnv: [
              { name: 'REDIS_PASSWORD', secret: 'cache-auth', key: 'password' },
            ],
          },
        ],
      },
    } as DeploymentView;
    render(
      <ConfigForm
        deployment={withSecret}
        container="app"
        onContainer={jest.fn()}
        onChange={change => changes.push(change)}
      />,
    );
    const list = screen.getByRole('list', { name: 'Variables from Secrets' });
    expect(within(list).getByText('REDIS_PASSWORD')).toBeInTheDocument();
    expect(
      within(list).getByText('from Secret cache-auth/password'),
    ).toBeInTheDocument();
    expect(within(list).queryByRole('textbox')).toBeNull();
    // the others from secrets or config maps are still named as kept
    expect(
      screen.getByText(
        'kept as they are (from secrets or config maps): FROM_CONFIGMAP',
      ),
    ).toBeInTheDocument();
    expect(changes[changes.length - 1].env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
  });
});
