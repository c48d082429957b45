import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunnerAdapter } from '../types';
import { globFiles, nameFilter, readManifest, resolveBin } from './project-files';
import { scriptPositionals } from './script-args';

/** The `spec` of .mocharc.json or package.json's "mocha" key, if any. */
function configuredSpec(projectDir: string): string[] {
  const rc = path.join(projectDir, '.mocharc.json');
  const fromRc = existsSync(rc)
    ? (JSON.parse(readFileSync(rc, 'utf8')) as { spec?: string | string[] }).spec
    : undefined;
  const fromManifest = (readManifest(projectDir) as { mocha?: { spec?: string | string[] } }).mocha?.spec;
  const spec = fromRc ?? fromManifest;
  return spec === undefined ? [] : Array.isArray(spec) ? spec : [spec];
}

/**
 * mocha: files from the configured spec, else the `mocha` script's globs, else mocha's default
 * ./test; JUnit from mocha's built-in xunit reporter; reruns through --grep.
 */
export const mochaAdapter: RunnerAdapter = {
  name: 'mocha',
  async discover(projectDir) {
    const spec = configuredSpec(projectDir);
    const fromScripts = scriptPositionals(readManifest(projectDir).scripts, /\bmocha\b/);
    const patterns = spec.length > 0 ? spec : fromScripts.length > 0 ? fromScripts : ['test/*.{js,cjs,mjs}'];
    return globFiles(projectDir, patterns);
  },
  invocation(projectDir, file, junitPath, testName) {
    const bin = resolveBin(projectDir, 'mocha', 'mocha', 'mocha');
    const argv = [process.execPath, bin, '--reporter', 'xunit', '--reporter-option', `output=${junitPath}`];
    if (testName !== undefined) argv.push('--grep', nameFilter(testName));
    argv.push(file);
    return { argv, env: {} };
  },
};
