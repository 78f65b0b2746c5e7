export * from './configTree';
export * from './domainSchema';
export * from './renderDomain';
