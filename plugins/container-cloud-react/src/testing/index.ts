/**
 * Test helpers for pages that use the shared components.
 *
 * @packageDocumentation
 */
export { typeInCodeEditor } from './typeInCodeEditor';
