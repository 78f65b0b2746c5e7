import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The alerts admin page. */
export const rootRouteRef = createRouteRef();
