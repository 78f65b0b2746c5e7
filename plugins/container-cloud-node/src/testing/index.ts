/**
 * Test helpers for Container Cloud backend plugins: real Backstage plugins in `startTestBackend`,
 * with users, group memberships and catalog entities given by the test.
 *
 * @packageDocumentation
 */
export * from './backendTestServices';
export * from './recordingAuditor';
export * from './routeCoverage';
export * from './relay';
