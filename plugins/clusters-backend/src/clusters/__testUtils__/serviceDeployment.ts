/** A Deployment of one service for the local cloud's kwok nodes, with requests. */
export function serviceDeployment(options: {
  namespace: string;
  name: string;
  replicas: number;
}) {
  const { namespace, name } = options;
  const labels = { app: name, 'backstage.io/kubernetes-id': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example.com/${name}:1.0.0`,
              resources: { requests: { cpu: '50m', memory: '32Mi' } },
            },
          ],
        },
      },
    },
  };
}
