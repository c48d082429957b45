import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RunnerAdapter } from '../types';
import { globFiles, nameFilter, readManifest } from './project-files';
import { scriptPositionals } from './script-args';

/** Node's own default test file patterns (node --test without arguments). */
const NODE_DEFAULTS = [
  '**/*.test.{cjs,mjs,js}',
  '**/*-test.{cjs,mjs,js}',
  '**/*_test.{cjs,mjs,js}',
  '**/test-*.{cjs,mjs,js}',
  '**/test/**/*.{cjs,mjs,js}',
];

/** A `node --test` in a package.json script: where node:test is used. */
export const NODE_TEST_SCRIPT = /\bnode\b(?:\s+--?[\w-]+(?:=\S+)?)*\s+--test\b/;

/** node:test: files from the paths of the `node --test` script (or Node's defaults), JUnit from its junit reporter. */
export const nodeTestAdapter: RunnerAdapter = {
  name: 'node-test',
  async discover(projectDir) {
    const paths = scriptPositionals(readManifest(projectDir).scripts, NODE_TEST_SCRIPT);
    const patterns =
      paths.length === 0
        ? NODE_DEFAULTS
        : paths.flatMap((p) => {
            const full = path.join(projectDir, p);
            const isDir = existsSync(full) && statSync(full).isDirectory();
            return isDir
              ? NODE_DEFAULTS.map((d) => `${p.replace(/\/$/, '')}/${d}`).concat(
                  `${p.replace(/\/$/, '')}/*.{cjs,mjs,js}`,
                )
              : [p];
          });
    return globFiles(projectDir, patterns);
  },
  invocation(_projectDir, file, junitPath, testName) {
    const argv = [process.execPath, '--test', '--test-reporter=junit', `--test-reporter-destination=${junitPath}`];
    if (testName !== undefined) argv.push(`--test-name-pattern=${nameFilter(testName)}`);
    argv.push(file);
    return { argv, env: {} };
  },
};
