/**
 * The plugin for apps on Backstage's legacy frontend system.
 *
 * @packageDocumentation
 */
import { createPlugin } from '@backstage/core-plugin-api';

/** @public */
export const codeflowPlugin = createPlugin({ id: 'codeflow' });
