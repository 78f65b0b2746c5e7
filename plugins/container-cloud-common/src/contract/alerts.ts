/**
 * The alerts API (plugins/alerts-backend, src/receivers): receivers, firing and pending alerts,
 * and silences.
 */
export {};
