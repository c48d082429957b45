import type { TlsCredentials } from '@agentlink/transport';

export interface CredentialReloaderOptions {
  /** Reads the credentials from their files (throws a typed error when they cannot be used). */
  readonly load: () => Promise<TlsCredentials>;
  /** Hands changed credentials to the transport (throws, changing nothing, when it refuses them). */
  readonly apply: (credentials: TlsCredentials) => void;
  /** The credentials the agent started with. */
  readonly initial: TlsCredentials;
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}

export interface CredentialReloader {
  /** Credential sets applied since start, and reload attempts that failed (old set kept). */
  readonly stats: { readonly applied: number; readonly failed: number };
  /** Reads the files now; resolves to whether a new set was applied. */
  reloadNow(): Promise<boolean>;
  close(): void;
}

const same = (a: TlsCredentials, b: TlsCredentials): boolean =>
  a.certPem === b.certPem && a.keyPem === b.keyPem && a.caPem === b.caPem;

/**
 * Polls the certificate files and applies a changed set. Polling, not fs.watch: Kubernetes
 * volumes swap a symlink, which watchers miss. A half-written renewal (new certificate, old key)
 * is refused by the transport and retried at the next poll, so the agent keeps serving.
 */
export function startCredentialReloader(options: CredentialReloaderOptions): CredentialReloader {
  let current = options.initial;
  let running: Promise<boolean> | undefined;
  const stats = { applied: 0, failed: 0 };
  const reload = async (): Promise<boolean> => {
    try {
      const next = await options.load();
      if (same(next, current)) return false;
      options.apply(next);
      current = next;
      stats.applied += 1;
      options.log('tls: new certificate files applied to new connections');
      return true;
    } catch (error) {
      stats.failed += 1;
      const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
      options.log(`tls: reload failed (${code}: ${(error as Error).message}); keeping the current certificate`);
      return false;
    }
  };
  const reloadNow = (): Promise<boolean> => {
    running ??= reload().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = options.intervalMs > 0 ? setInterval(() => void reloadNow(), options.intervalMs) : undefined;
  timer?.unref();
  return {
    stats,
    reloadNow,
    close: () => clearInterval(timer),
  };
}
