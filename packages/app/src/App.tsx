import { createApp } from '@backstage/frontend-defaults';
import { navModule } from './modules/nav';

/**
 * Plugins are discovered from this package's dependencies (`app.packages: all` in
 * app-config.yaml); only the app's own modules are listed here.
 */
export default createApp({
  features: [navModule],
});
