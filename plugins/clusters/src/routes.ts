import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The clusters admin page. */
export const rootRouteRef = createRouteRef();
/** The metering page. */
export const meteringRouteRef = createRouteRef();
/** The audit log page. */
export const auditRouteRef = createRouteRef();
