import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The App store page. */
export const rootRouteRef = createRouteRef();
