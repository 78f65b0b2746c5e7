import type { GeneratedDockerfileInput } from '..';

/** The example codeflow both Dockerfile tests render (the builder's unit test and BuildKit's). */
export const EXAMPLE_DOCKERFILE_INPUT: GeneratedDockerfileInput = {
  codeflowId: 'cf-0123456789abcdef01234567',
  baseImage: 'node:22-slim',
  definition: {
    repositoryUrl: 'https://git.example.com/payments/api.git',
    artifactPath: 'dist',
    deployPath: '/app',
    startCommand: ['node', 'dist/server.js'],
    port: 8080,
    env: [{ name: 'NODE_ENV', value: 'production' }],
  },
};

/** Values that would break a Dockerfile pasted together from text (both tests feed every one). */
export const HOSTILE_DOCKERFILE_VALUES = [
  'a\nRUN rm -rf /',
  '"\nRUN rm -rf /',
  '"]\nRUN ["rm", "-rf", "/"]',
  'x \\',
  'trailing\\',
  '\\\nRUN id',
  '<<EOF\nrm -rf /\nEOF',
  '<<-EOF',
  '$(id)',
  '`id`',
  '${HOME}',
  '${CODEFLOW_REVISION}',
  '$HOME',
  '\\$HOME',
  'it\'s "quoted"',
  '\r\nUSER 0',
  'line\u2028RUN id',
  'para\u2029RUN id',
  'nel\u0085RUN id',
  'tab\tvt\u000bff\u000c',
  '# escape=`',
  'ENTRYPOINT ["sh"]',
  '\u202eright-to-left',
  '😀 unicode ü',
  'x'.repeat(20_000),
];
