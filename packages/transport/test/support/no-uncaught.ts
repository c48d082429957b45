import { afterEach, beforeEach, expect } from '@jest/globals';

/**
 * Registers hooks that fail each test of the enclosing describe block if an uncaught exception
 * or unhandled rejection happened during it (late library errors get 50 ms to surface).
 */
export function failOnUncaughtErrors(): void {
  let uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    expect(uncaught).toEqual([]);
  });
}
