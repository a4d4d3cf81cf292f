export * from './catalog';
export * from './events';
export * from './parse';
export { makeId } from './ids';
export * from './endpoints';
