import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Services page; the app's sidebar lists pages that have a route ref. */
export const rootRouteRef = createRouteRef();
