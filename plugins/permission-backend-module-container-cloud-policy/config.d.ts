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
    };
  };
}
