export * from './configTree';
export * from './renderDomain';
