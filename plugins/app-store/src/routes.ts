import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The App store page; an instance's page is under it, at instances/:cluster/:namespace/:name. */
export const rootRouteRef = createRouteRef();
