import path from 'node:path';
import type { RunnerAdapter } from '../types';
import { globFiles, nameFilter } from './project-files';

export interface CommandAdapterOptions {
  /** Shell command with `{file}`, optionally `{junit}` (a fresh path per execution) and `{filter}`. */
  readonly command: string;
  /** Where the command writes JUnit XML, relative to the project; `{file}` is replaced. Needed without `{junit}`. */
  readonly junit?: string;
  /** Globs of the test files. Default: files named *.test.* or *.spec.*. */
  readonly files?: readonly string[];
}

const DEFAULT_FILES = ['**/*.{test,spec}.{js,cjs,mjs,ts,cts,mts,jsx,tsx}'];

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** Any command that writes JUnit XML, one file per execution. */
export function commandAdapter(options: CommandAdapterOptions): RunnerAdapter {
  return {
    name: 'command',
    discover: (projectDir) => globFiles(projectDir, options.files ?? DEFAULT_FILES),
    invocation(projectDir, file, junitPath, testName) {
      const command = options.command
        .replaceAll('{file}', quote(file))
        .replaceAll('{junit}', quote(junitPath))
        .replaceAll('{filter}', testName === undefined ? "''" : quote(nameFilter(testName)));
      const own = options.command.includes('{junit}') || options.junit === undefined;
      const fixed = own
        ? undefined
        : path.resolve(projectDir, options.junit!.replaceAll('{file}', file.replace(/[/\\]/g, '_')));
      return { argv: [command], env: {}, shell: true, junitPath: fixed };
    },
  };
}
