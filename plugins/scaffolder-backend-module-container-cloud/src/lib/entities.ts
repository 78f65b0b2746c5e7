import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/** A Component of the catalog, as the suite's routes name it. */
export interface ComponentRef {
  namespace: string;
  name: string;
  /** `component:<namespace>/<name>` */
  ref: string;
}

/** `payments-api`, `default/payments-api` or `component:default/payments-api`. */
export function componentRef(entityRef: string): ComponentRef {
  let parsed;
  try {
    parsed = parseEntityRef(entityRef, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
  if (parsed.kind.toLocaleLowerCase('en-US') !== 'component') {
    throw new InputError(
      `entityRef: ${entityRef} is a ${parsed.kind}; the suite's services are Components`,
    );
  }
  const { namespace, name } = parsed;
  return { namespace, name, ref: `component:${namespace}/${name}` };
}

/** The path of a service's routes in the services and storage backends. */
export function servicePath(component: ComponentRef): string {
  return `/services/${encodeURIComponent(
    component.namespace,
  )}/${encodeURIComponent(component.name)}`;
}

/** A link to a tab of the entity's page, for a template's summary. */
export function entityPageUrl(
  appBaseUrl: string,
  component: ComponentRef,
  tab?: string,
): string {
  return `${appBaseUrl}/catalog/${component.namespace}/component/${
    component.name
  }${tab ? `/${tab}` : ''}`;
}
