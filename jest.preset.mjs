// Shared jest configuration: ESM TypeScript through @swc/jest, run under
// `node --experimental-vm-modules`. Workspace packages resolve to their sources so a
// test never runs against a stale build.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

/** @param {{ coverageThreshold?: number, testTimeout?: number }} [options] */
export function jestConfig(options = {}) {
  const threshold = options.coverageThreshold ?? 80;
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleNameMapper: {
      '^@agentlink/(resilience|transport|learning|telemetry|test-harness)$': `${root}/packages/$1/src/index.ts`,
    },
    testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
    collectCoverage: true,
    collectCoverageFrom: ['src/**/*.ts', '!src/**/*.test.ts'],
    coverageReporters: ['text-summary', 'json-summary'],
    coverageThreshold: { global: { lines: threshold, branches: threshold } },
    testTimeout: options.testTimeout ?? 30_000,
  };
}
