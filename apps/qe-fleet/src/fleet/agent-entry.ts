import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentStartError } from '../errors';

/** How to start the CLI in a child process: the built dist/main.js, or src/main.ts through tsx. */
export interface AgentEntry {
  readonly file: string;
  readonly nodeArgs: readonly string[];
}

/** Finds the CLI entry next to the running code (bundled dist/, or src/ when run from sources). */
export function resolveAgentEntry(from: string = path.dirname(fileURLToPath(import.meta.url))): AgentEntry {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'main.js'))) return { file: path.join(dir, 'main.js'), nodeArgs: [] };
    if (existsSync(path.join(dir, 'main.ts'))) {
      return { file: path.join(dir, 'main.ts'), nodeArgs: ['--import', 'tsx'] };
    }
    if (path.dirname(dir) === dir || existsSync(path.join(dir, 'package.json'))) break;
  }
  throw new AgentStartError('*', `no main.js or main.ts above ${from}; run npm run build`);
}
