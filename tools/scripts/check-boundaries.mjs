#!/usr/bin/env node
// Proves the module-boundary lint rule has teeth: drops a probe file importing a forbidden
// (or allowed) module into each package, lints it, and checks ESLint's verdict.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// [package dir, imported module, must be allowed]
const cases = [
  ['packages/transport', '@agentlink/learning', false],
  ['packages/transport', '@agentlink/telemetry', false],
  ['packages/transport', 'prom-client', false],
  ['packages/transport', '@agentlink/resilience', true],
  ['packages/learning', '@agentlink/transport', false],
  ['packages/learning', '@agentlink/resilience', true],
  ['packages/telemetry', '@agentlink/resilience', false],
  ['packages/telemetry', '@tensorflow/tfjs', false],
  ['packages/resilience', '@agentlink/transport', false],
  ['packages/transport', '@agentlink/test-harness', false],
  ['packages/test-harness', '@agentlink/transport', true],
];

const eslint = path.join(root, 'node_modules/eslint/bin/eslint.js');
let failed = 0;
for (const [dir, module, allowed] of cases) {
  const probe = path.join(root, dir, 'src', `boundary-probe-${process.pid}.ts`);
  fs.writeFileSync(probe, `import * as probe from '${module}';\nexport const used = probe;\n`);
  let verdict;
  try {
    execFileSync(
      process.execPath,
      [eslint, '--no-warn-ignored', '--rule', '{"@typescript-eslint/no-unused-vars":"off"}', probe],
      {
        cwd: path.join(root, dir),
        stdio: 'pipe',
      },
    );
    verdict = true;
  } catch (error) {
    verdict = !/enforce-module-boundaries/.test(String(error.stdout));
    if (verdict) throw new Error(`eslint failed on ${probe} for another reason:\n${error.stdout}${error.stderr}`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
  const ok = verdict === allowed;
  if (!ok) failed++;
  const word = (allows) => (allows ? 'allowed' : 'refused');
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${dir} importing ${module}: ${word(verdict)} (expected ${word(allowed)})`);
}
console.log(`${cases.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
