import { describe, expect, it } from '@jest/globals';
import { MissingColumnError } from '../src/errors';
import { joinGroups, normaliseTestName } from '../src/project-join';
import { parseCsv } from '../src/csv-parser';

describe('joinGroups', () => {
  it('normalises Class#method to lower-case class.method', () => {
    expect(normaliseTestName(' org.Foo.BarTest#testX ')).toBe('org.foo.bartest.testx');
  });

  it('quotes cells that need it and honours custom column names', () => {
    const result = joinGroups('name,label\n"a,b",1\n', 'G,T\n"g ""1""",A#B\n', {
      datasetKey: 'name',
      resultsKey: 'T',
      resultsGroup: 'G',
      column: 'grp',
      unmatchedGroup: 'none',
    });
    expect(result.csv).toBe('name,label,grp\n"a,b",1,none\n');
    expect(() => joinGroups('x\n1\n', 'Project,Test\n')).toThrow(MissingColumnError);
  });
});

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, embedded newlines, CRLF and a missing final newline', () => {
    const parsed = parseCsv('a,b\r\n"x ""y""","line1\nline2"\r\n\r\n1,\n2,3');
    expect(parsed.header).toEqual(['a', 'b']);
    expect(parsed.records).toEqual([
      { line: 2, cells: ['x "y"', 'line1\nline2'] },
      { line: 5, cells: ['1', ''] },
      { line: 6, cells: ['2', '3'] },
    ]);
  });
});
