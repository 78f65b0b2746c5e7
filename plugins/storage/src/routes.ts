import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The storage admin page. */
export const rootRouteRef = createRouteRef();
