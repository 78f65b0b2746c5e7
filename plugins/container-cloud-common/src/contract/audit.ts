// The wire contract of this module: zod schemas of its requests and responses (filled in by its backend).
export {};
