export * from './instructions';
export * from './generate';
