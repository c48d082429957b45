import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import xmllint from 'xmllint-wasm';
import { mergedJunit } from '../../src/run/junit/merged-junit';
import { parseJunit } from '../../src/run/junit/parse-junit';
import { MalformedJunitError } from '../../src/run/run-errors';
import type { TestVerdict } from '../../src/run/verdicts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => readFileSync(path.join(here, '..', 'fixtures', 'junit', name), 'utf8');
const schema = readFileSync(path.join(here, '..', '..', 'schema', 'junit.xsd'), 'utf8');

async function validate(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const result = await xmllint.validateXML({
    xml: [{ fileName: 'run.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: schema }],
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.message) };
}

describe("parseJunit reads every runner's JUnit XML", () => {
  it('jest-junit: trims names, reads failures with their first line, skipped cases', () => {
    expect(parseJunit(fixture('jest-junit.xml'), 'jest.xml')).toEqual([
      {
        name: 'computes a percentage (real bug)',
        outcome: 'failed',
        durationMs: 4,
        message: 'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      },
      { name: 'totals computes a sum', outcome: 'passed', durationMs: 12 },
      { name: 'is skipped', outcome: 'skipped', durationMs: 0 },
    ]);
  });

  it('vitest: cases inside <testsuites><testsuite>', () => {
    const cases = parseJunit(fixture('vitest.xml'), 'vitest.xml');
    expect(cases.map((c) => [c.name, c.outcome])).toEqual([
      ['reads a warmed cache (timing race)', 'passed'],
      ['adds while timing-race is around', 'passed'],
    ]);
  });

  it('node:test: cases straight under <testsuites>, failure message with decoded entities', () => {
    const cases = parseJunit(fixture('node-test.xml'), 'node.xml');
    expect(cases[1]).toMatchObject({
      name: 'starts with an empty plugin registry (order dependent)',
      outcome: 'failed',
      message: 'registry polluted by an earlier test',
    });
  });

  it('mocha xunit: a bare <testsuite> root', () => {
    const cases = parseJunit(fixture('mocha-xunit.xml'), 'mocha.xml');
    expect(cases).toHaveLength(13);
    expect(cases.filter((c) => c.outcome === 'failed').map((c) => c.message)).toEqual(['quantity must be positive']);
  });

  it('nested suites (describe blocks) are walked', () => {
    const xml =
      '<testsuites><testsuite name="a"><testsuite name="b"><testcase name="deep" time="0.5"/>' +
      '</testsuite></testsuite></testsuites>';
    expect(parseJunit(xml, 'x')).toEqual([{ name: 'deep', outcome: 'passed', durationMs: 500 }]);
  });

  it.each([
    ['not well-formed', '<testsuites><testcase name="x"></testsuites>', /not well-formed XML at line 1/],
    ['wrong root', '<report><test/></report>', /no <testsuites> or <testsuite> root/],
    ['nameless case', '<testsuite><testcase time="1"/></testsuite>', /has no name attribute/],
  ])('malformed JUnit (%s) is a MalformedJunitError naming the file', (_what, xml, message) => {
    let caught: unknown;
    try {
      parseJunit(xml, '/tmp/bad-junit.xml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MalformedJunitError);
    expect((caught as MalformedJunitError).code).toBe('ERR_MALFORMED_JUNIT');
    expect((caught as MalformedJunitError).path).toBe('/tmp/bad-junit.xml');
    expect((caught as Error).message).toMatch(message);
  });
});

const verdicts: TestVerdict[] = [
  {
    id: 'a.test.js > ok',
    file: 'a.test.js',
    name: 'ok',
    verdict: 'passed',
    attempts: [{ attempt: 1, outcome: 'passed', executor: 'e1', durationMs: 5 }],
  },
  {
    id: 'a.test.js > races <&> "quotes"',
    file: 'a.test.js',
    name: 'races <&> "quotes"',

    verdict: 'flaky',
    attempts: [
      { attempt: 1, outcome: 'failed', executor: 'e1', durationMs: 20, message: 'cache not warm \u0001' },
      { attempt: 2, outcome: 'passed', executor: 'e2', durationMs: 21 },
    ],
  },
  {
    id: 'b.test.js > bug',
    file: 'b.test.js',
    name: 'bug',
    verdict: 'failed',
    attempts: [{ attempt: 1, outcome: 'failed', executor: 'e1', durationMs: 3, message: '400 !== 25' }],
  },
  {
    id: 'b.test.js > later',
    file: 'b.test.js',
    name: 'later',
    verdict: 'skipped',
    attempts: [{ attempt: 1, outcome: 'skipped', executor: 'e1', durationMs: 0 }],
  },
];

describe('mergedJunit', () => {
  it('validates against the JUnit XSD, marks the flaky case and keeps the real failure', async () => {
    const xml = mergedJunit('run-1', verdicts, new Set(['a.test.js > races <&> "quotes"']));
    expect(await validate(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toContain('<property name="flaky" value="races &lt;&amp;&gt; &quot;quotes&quot;"/>');
    expect(xml).toContain('FLAKY (quarantined): failed, then passed on the same commit');
    expect(xml).toMatch(/<testsuite name="b.test.js" tests="2" failures="1" errors="0" skipped="1"/);
    expect(xml).toContain('<failure message="400 !== 25" type="failure">');
    // It reads back: the flaky case passed, the bug failed.
    expect(parseJunit(xml, 'merged').map((c) => c.outcome)).toEqual(['passed', 'passed', 'failed', 'skipped']);
  });

  it('the schema check can fail: a case without classname or time is rejected', async () => {
    const bad = mergedJunit('run-1', verdicts, new Set()).replace(' classname="a.test.js" time="0.005"', '');
    const result = await validate(bad);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/classname/);
  });
});
