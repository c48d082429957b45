// opossum 10 ships no type declarations; this covers the part of its API we use.
declare module 'opossum' {
  import type { EventEmitter } from 'node:events';

  interface OpossumOptions {
    timeout?: number | false;
    errorThresholdPercentage?: number;
    resetTimeout?: number;
    rollingCountTimeout?: number;
    rollingCountBuckets?: number;
    volumeThreshold?: number;
    errorFilter?: (err: unknown) => boolean;
    enableSnapshots?: boolean;
    rollingPercentilesEnabled?: boolean;
    rotateBucketController?: EventEmitter;
    allowWarmUp?: boolean;
  }

  class OpossumBreaker<A extends unknown[] = unknown[], R = unknown> extends EventEmitter {
    constructor(action: (...args: A) => Promise<R>, options?: OpossumOptions);
    fire(...args: A): Promise<R>;
    open(): void;
    close(): void;
    shutdown(): void;
    readonly opened: boolean;
    readonly halfOpen: boolean;
    readonly closed: boolean;
    readonly isShutdown: boolean;
  }

  export default OpossumBreaker;
}
