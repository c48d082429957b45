import { jestConfig } from '../../jest.preset.mjs';

const config = jestConfig({ testTimeout: 120_000 });

export default {
  ...config,
  // src/main.ts is the 8-line process entry (argv, stdout, process.exit); runCli, which it calls,
  // is covered in-process. Code that runs only in child processes is covered by the in-process tests
  // of the same functions (runConfiguredAgent in test/integration/configured-agents.test.ts).
  collectCoverageFrom: [...config.collectCoverageFrom, '!src/main.ts'],
};
