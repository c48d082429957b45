import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

describe('README example', () => {
  it('runs and gets every answer through retries', () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(here, '../examples/unreliable-peer.ts')],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    expect(out).toMatch(/call 1: answer #3/);
    expect(out).toMatch(/call 3: answer #9/);
    expect(out).toMatch(/attempt 2 failed \(ECONNRESET\)/);
  });
});
