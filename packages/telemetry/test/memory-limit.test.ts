import { totalmem } from 'node:os';
import { describe, it, expect } from '@jest/globals';
import { detectMemoryLimitBytes } from '../src/index';

const files = (entries: Record<string, string>) => (path: string) => entries[path];
const GIB = 1024 ** 3;

describe('detectMemoryLimitBytes', () => {
  it('reads the cgroup v2 limit', () => {
    expect(detectMemoryLimitBytes(files({ '/sys/fs/cgroup/memory.max': '536870912\n' }), 8 * GIB)).toBe(536_870_912);
  });

  it("falls through cgroup v2 'max' to the v1 limit", () => {
    const read = files({
      '/sys/fs/cgroup/memory.max': 'max\n',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824',
    });
    expect(detectMemoryLimitBytes(read, 8 * GIB)).toBe(GIB);
  });

  it('treats the v1 "unlimited" value and missing files as no limit', () => {
    const read = files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' });
    expect(detectMemoryLimitBytes(read, 8 * GIB)).toBe(8 * GIB);
    expect(detectMemoryLimitBytes(files({}), 8 * GIB)).toBe(8 * GIB);
  });

  it('never reports more than the machine has', () => {
    expect(detectMemoryLimitBytes(files({ '/sys/fs/cgroup/memory.max': String(64 * GIB) }), 8 * GIB)).toBe(8 * GIB);
  });

  it('on this machine returns a positive limit no larger than total memory', () => {
    const limit = detectMemoryLimitBytes();
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(totalmem());
  });
});
