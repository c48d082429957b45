#!/usr/bin/env node
// The developers' guide's size rules, for every tracked source file (also those no project
// lints): at most 300 lines, lines under 120 characters, no exemptions. Then proves the lint
// rules have teeth: ESLint must refuse a probe file breaking each rule.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 300;
const MAX_LINE_LENGTH = 119;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Line count (as `wc -l` and ESLint's max-lines count it) and the 1-based numbers of long lines. */
function measure(file) {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const long = lines.flatMap((line, i) => (line.length > MAX_LINE_LENGTH ? [i + 1] : []));
  return { lines: lines.length, long };
}

const tracked = execFileSync('git', ['ls-files', '-z', '*.ts', '*.mts', '*.cts', '*.js', '*.mjs', '*.cjs'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((file) => file !== '' && fs.existsSync(path.join(root, file)));

const problems = [];
for (const file of tracked) {
  const { lines, long } = measure(file);
  if (lines > MAX_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_LINES}); split it by purpose`);
  for (const n of long) problems.push(`${file}:${n}: line of 120 characters or more`);
}

// The lint rules must refuse each kind of violation.
const probeDir = path.join(root, 'packages/resilience/src');
const probes = {
  'max-len': `export const probe = '${'x'.repeat(MAX_LINE_LENGTH)}';\n`,
  'max-lines': Array.from({ length: MAX_LINES + 1 }, (_, i) => `export const probe${i} = ${i};\n`).join(''),
};
for (const [rule, text] of Object.entries(probes)) {
  const probe = path.join(probeDir, `style-probe-${rule}-${process.pid}.ts`);
  fs.writeFileSync(probe, text);
  try {
    const eslint = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', path.relative(root, probe)],
      { cwd: root, encoding: 'utf8' },
    );
    const messages = JSON.parse(eslint.stdout || '[]').flatMap((result) => result.messages);
    const refused = messages.some((m) => m.ruleId === rule);
    console.log(`${refused ? 'ok  ' : 'FAIL'} lint refuses a file breaking ${rule}`);
    if (!refused) problems.push(`ESLint does not enforce ${rule}: ${eslint.stderr.trim()}`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`${problems.length} style problem(s); see the developers' guide`);
  process.exit(1);
}
console.log(`style ok: ${tracked.length} files`);
