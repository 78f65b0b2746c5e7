/**
 * Container Cloud for Backstage: codeflows — a service's code built into an image by a generated
 * Dockerfile, pushed to the company registry and rolled out, on every push or a button.
 *
 * @packageDocumentation
 */
export { codeflowPlugin as default } from './plugin';
