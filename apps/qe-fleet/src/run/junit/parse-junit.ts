import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedJunitError } from '../run-errors';
import type { CaseOutcome, TestCaseResult } from '../types';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  textNodeName: '#text',
  htmlEntities: true,
  // Runners nest <testsuite>s (describe blocks, node:test) and put <testcase>s at any level.
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
});

const MESSAGE_CHARS = 500;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const node = value as Node;
    return String(node['@_message'] ?? node['#text'] ?? '');
  }
  return '';
}

function firstLine(value: string): string {
  return value.trim().split('\n')[0]!.slice(0, MESSAGE_CHARS);
}

function toCase(node: Node): TestCaseResult {
  const name = String(node['@_name'] ?? '').trim();
  const seconds = Number(node['@_time'] ?? 0);
  const problems = [...((node.failure as unknown[]) ?? []), ...((node.error as unknown[]) ?? [])];
  let outcome: CaseOutcome = 'passed';
  if (problems.length > 0) outcome = 'failed';
  else if (node.skipped !== undefined) outcome = 'skipped';
  const durationMs = Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0;
  return outcome === 'failed'
    ? { name, outcome, durationMs, message: firstLine(text(problems[0])) || 'failed' }
    : { name, outcome, durationMs };
}

function collect(node: Node, into: TestCaseResult[]): void {
  for (const testcase of (node.testcase as Node[] | undefined) ?? []) into.push(toCase(testcase));
  for (const suite of (node.testsuite as Node[] | undefined) ?? []) collect(suite, into);
}

/**
 * Reads the test cases of a JUnit XML document (jest-junit, vitest, node:test, mocha's xunit and
 * the usual Ant/Surefire shape). `source` names the file in errors.
 */
export function parseJunit(xml: string, source: string): TestCaseResult[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new MalformedJunitError(source, `not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`);
  const document = parser.parse(xml) as Node;
  const root =
    (document.testsuites as Node | undefined) ?? (document.testsuite ? { testsuite: document.testsuite } : undefined);
  if (root === undefined) throw new MalformedJunitError(source, 'no <testsuites> or <testsuite> root element');
  const cases: TestCaseResult[] = [];
  collect(typeof root === 'object' && root !== null ? root : {}, cases);
  for (const c of cases)
    if (c.name.length === 0) throw new MalformedJunitError(source, 'a <testcase> has no name attribute');
  return cases;
}
