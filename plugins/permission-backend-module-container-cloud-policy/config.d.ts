export interface Config {
  containerCloud?: {
    permissions?: {
      /**
       * Groups whose members may operate every service and the platform itself
       * (entity refs, e.g. `group:default/ops-admins`). Everyone else may operate
       * only the entities their groups own, and read the rest.
       * @visibility backend
       */
      opsAdminGroups?: string[];
      /**
       * Who may read containers' logs (tail, follow, download): `everyone` signed in (default,
       * as the product brief says everyone reads) or `owners` (the service's owners and ops
       * admins), for logs that hold what not everyone should read.
       * @visibility backend
       */
      logsReadableBy?: 'everyone' | 'owners';
    };
  };
}
