/**
 * The plugin for apps on Backstage's legacy frontend system.
 *
 * @packageDocumentation
 */
import { createPlugin } from '@backstage/core-plugin-api';

/** @public */
export const alertsPlugin = createPlugin({ id: 'alerts' });
