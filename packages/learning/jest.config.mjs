import { jestConfig } from '../../jest.preset.mjs';

// Training tests take seconds on an idle machine but ten times that on a shared, loaded one.
export default jestConfig({ testTimeout: 120_000 });
