import { InvalidFlagError } from '../errors';

// A variable specifier: the harness is an optional peer dependency, loaded only for the flags that need it.
const HARNESS = '@agentlink/test-harness';

/**
 * Loads the optional test harness that `flag` needs (fault proxy, fleet launcher). When it is not
 * installed (an `npm install @agentlink/qe-fleet` does not install it) throws ERR_INVALID_FLAG
 * saying how to get it, instead of a bare module-not-found.
 */
export async function loadTestHarness<T>(flag: string): Promise<T> {
  try {
    return (await import(HARNESS)) as T;
  } catch (error) {
    const missing =
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(HARNESS);
    if (!missing) throw error;
    throw new InvalidFlagError(
      flag,
      `needs the optional package ${HARNESS}; install it beside @agentlink/qe-fleet (npm install ${HARNESS})`,
    );
  }
}
