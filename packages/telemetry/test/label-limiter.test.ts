import { describe, it, expect } from '@jest/globals';
import { InvalidTelemetryOptionsError, LabelLimiter, OVERFLOW_LABEL } from '../src/index';

describe('LabelLimiter', () => {
  it('keeps the first max distinct values and maps the rest to other', () => {
    const limiter = new LabelLimiter({ max: 2, name: 'x' });
    expect(['a', 'b', 'c', 'a', 'b', 'd'].map((v) => limiter.label(v))).toEqual([
      'a',
      'b',
      OVERFLOW_LABEL,
      'a',
      'b',
      OVERFLOW_LABEL,
    ]);
    expect(limiter.size).toBe(2);
  });

  it('with an allow-list, admits nothing else', () => {
    const limiter = new LabelLimiter({ allow: ['task.run'], max: 10, name: 'x' });
    expect(limiter.label('task.run')).toBe('task.run');
    expect(limiter.label('task.other')).toBe(OVERFLOW_LABEL);
    expect(limiter.size).toBe(1);
  });

  it('cuts very long values and maps empty ones to other', () => {
    const limiter = new LabelLimiter({ max: 10, name: 'x' });
    expect(limiter.label('m'.repeat(500))).toHaveLength(64);
    expect(limiter.label('')).toBe(OVERFLOW_LABEL);
  });

  it.each([[0], [1.5], [Number.NaN]])('rejects max %p', (max) => {
    expect(() => new LabelLimiter({ max, name: 'maxMethods' })).toThrow(InvalidTelemetryOptionsError);
  });

  it('rejects an allow-list with empty strings', () => {
    expect(() => new LabelLimiter({ allow: [''], max: 1, name: 'methods' })).toThrow(/non-empty strings/);
  });
});
