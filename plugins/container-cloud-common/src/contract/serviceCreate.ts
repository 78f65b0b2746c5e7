/**
 * Creating a service's workloads (a Deployment and its Service) in chosen clusters and
 * namespaces: the request and result of the services backend's create operation, which the
 * scaffolder action `container-cloud:service:create` also uses.
 */
export {};
