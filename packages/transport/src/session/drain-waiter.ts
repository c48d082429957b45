/** Lets close() wait for the exchanges in flight, up to a timeout, before it cuts the link. */
export class DrainWaiter {
  private release: (() => void) | undefined;

  /** Resolves after `timeoutMs`, or earlier on done(). */
  wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.release = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the wait, if any (everything drained, or the session closed). */
  done(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}
