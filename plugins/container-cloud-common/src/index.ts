/**
 * Isomorphic types and permission definitions shared by every Container Cloud plugin.
 *
 * @packageDocumentation
 */

export * from './alertsPermissions';
export * from './appStorePermissions';
export * from './clustersPermissions';
export * from './codeflowPermissions';
export * from './contract';
export * from './permissions';
export * from './quantity';
export * from './services';
export * from './storagePermissions';
export * from './streams';
