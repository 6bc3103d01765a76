// The bench worker bundles this module: every product workflow (the same exports as
// workflows/index.ts) plus the baseline the journey's throughput is compared with. The product's
// own bundle stays free of bench code.
export * from '../workflows';
export { benchBaseline } from './baseline-workflow';
