/**
 * The one route pipeline of the Container Cloud backends: routes declared as data, mounted by
 * `addRoutes`, documented by `openApiDocument`.
 */
export * from './types';
export * from './addRoutes';
export * from './errors';
export * from './parseInput';
export * from './serializedJson';
export * from './openApiDocument';
export * from './moduleRouter';
export * from './serviceEntity';
export * from './ReadDecisionCache';
