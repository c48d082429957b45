import type { TestVerdict } from '../verdicts';

const escape = (value: string): string =>
  value
    // XML 1.0 forbids most control characters even when escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function testcase(v: TestVerdict, quarantined: boolean): string {
  const last = v.attempts[v.attempts.length - 1]!;
  const head =
    `    <testcase name="${escape(v.name)}" classname="${escape(v.file)}" ` + `time="${seconds(last.durationMs)}"`;
  const history = v.attempts
    .map((a) => `attempt ${a.attempt} on ${a.executor}: ${a.outcome}${a.message ? ` (${a.message})` : ''}`)
    .join('\n');
  if (v.verdict === 'skipped') return `${head}>\n      <skipped/>\n    </testcase>`;
  if (v.verdict === 'passed') return `${head}/>`;
  if (v.verdict === 'flaky') {
    const note = `FLAKY${quarantined ? ' (quarantined)' : ''}: failed, then passed on the same commit\n${history}`;
    return `${head}>\n      <system-out>${escape(note)}</system-out>\n    </testcase>`;
  }
  const message = v.attempts.find((a) => a.message !== undefined)?.message ?? 'failed';
  const type = quarantined ? 'quarantined' : 'failure';
  const failure = `<failure message="${escape(message)}" type="${type}">${escape(history)}</failure>`;
  return `${head}>\n      ${failure}\n    </testcase>`;
}

/**
 * One JUnit XML for the whole run: a <testsuite> per file; a flaky case passes, with its
 * attempts in <system-out> and its name in the suite's `flaky` properties.
 */
export function mergedJunit(runId: string, verdicts: readonly TestVerdict[], quarantine: ReadonlySet<string>): string {
  const byFile = new Map<string, TestVerdict[]>();
  for (const v of verdicts) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v]);
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let skipped = 0;
  let time = 0;
  for (const [file, cases] of byFile) {
    const f = cases.filter((c) => c.verdict === 'failed').length;
    const s = cases.filter((c) => c.verdict === 'skipped').length;
    const t = cases.reduce((sum, c) => sum + c.attempts[0]!.durationMs, 0);
    total += cases.length;
    failures += f;
    skipped += s;
    time += t;
    const flaky = cases.filter((c) => c.verdict === 'flaky');
    const properties =
      flaky.length === 0
        ? ''
        : `    <properties>\n` +
          flaky.map((c) => `      <property name="flaky" value="${escape(c.name)}"/>`).join('\n') +
          `\n    </properties>\n`;
    suites.push(
      `  <testsuite name="${escape(file)}" tests="${cases.length}" failures="${f}" errors="0" ` +
        `skipped="${s}" time="${seconds(t)}">\n` +
        properties +
        cases.map((c) => testcase(c, quarantine.has(c.id))).join('\n') +
        '\n  </testsuite>',
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="qe-fleet run ${escape(runId)}" tests="${total}" failures="${failures}" errors="0" ` +
    `skipped="${skipped}" time="${seconds(time)}">\n` +
    suites.join('\n') +
    '\n</testsuites>\n'
  );
}
