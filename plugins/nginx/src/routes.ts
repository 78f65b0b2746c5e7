import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Nginx admin page. */
export const rootRouteRef = createRouteRef();
