import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionsError, NamespaceCommandError, NamespacesUnavailableError } from '../errors';

/** Whether network namespaces can be used here, and if not, why. */
export type NamespaceSupport = { readonly available: true } | { readonly available: false; readonly reason: string };

/** Checks for root and the `ip` tool (iproute2). */
export function namespaceSupport(): NamespaceSupport {
  if (process.platform !== 'linux')
    return { available: false, reason: `network namespaces need Linux, this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { available: false, reason: 'creating network namespaces needs root (uid 0)' };
  const probe = spawnSync('ip', ['-V'], { encoding: 'utf8', env: process.env });
  if (probe.error !== undefined || probe.status !== 0) {
    return {
      available: false,
      reason: 'the `ip` command (Debian package iproute2) is missing: apt-get install iproute2',
    };
  }
  return { available: true };
}

/** Runs `ip` with `args` (stdin from `input`); resolves with its stdout, rejects with NamespaceCommandError. */
function ip(args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', [...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err === null) resolve(String(stdout));
      else reject(new NamespaceCommandError(args, String(stderr), err));
    });
    // A command that exits without reading its stdin must not fail the call with EPIPE.
    child.stdin?.on('error', () => undefined);
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

const PREFIX = /^[a-z][a-z0-9]{0,11}$/;
/**
 * `ip netns del` fails with EBUSY while another process is half-way into `ip netns exec` of that
 * namespace (its private mount table still holds the namespace file); such a delete is retried.
 */
const DELETE_ATTEMPTS = 30;
const DELETE_RETRY_MS = 100;
const namespaceExists = (name: string): boolean => existsSync(`/run/netns/${name}`);
const DELETE_SCRIPT = `for n in "$@"; do i=0; while [ -e "/run/netns/$n" ] && [ $i -lt ${DELETE_ATTEMPTS} ]; do
  ip netns del "$n" 2>/dev/null || sleep ${DELETE_RETRY_MS / 1000}; i=$((i + 1)); done; done`;
const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * One network namespace per agent, each with a veth pair to a bridge in a hub namespace, so the
 * agents are separate hosts on a private /24. Nothing is created in the host's own namespace:
 * the addresses exist only inside these namespaces.
 */
export class NamespaceNetwork {
  readonly hub: string;
  readonly namespaces: string[] = [];
  readonly addresses: string[] = [];
  private readonly created: string[] = [];
  private readonly exitCleanup = (): void => this.destroySync();
  /**
   * On a fatal signal: delete the namespaces, then let the signal do what it would have done. The
   * deleting is a detached shell (retrying busy names, see DELETE_ATTEMPTS): a supervisor that
   * kills this process soon after the signal (tsx does after 60 ms) cannot stop it half-way, and
   * this process stays responsive meanwhile. A second signal waits for the first cleanup.
   */
  private readonly signalCleanup = (signal: NodeJS.Signals): void => {
    if (this.signalled) return;
    this.signalled = true;
    this.destroyed = true;
    const done = (): void => {
      this.removeCleanupListeners();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    const helper = spawn('sh', ['-c', DELETE_SCRIPT, 'sh', ...this.created], { detached: true, stdio: 'ignore' });
    helper.once('error', () => {
      this.destroySync();
      done();
    });
    helper.once('exit', done);
  };
  private destroyed = false;
  private signalled = false;

  private constructor(prefix: string) {
    this.hub = `${prefix}-hub`;
  }

  /**
   * Creates the hub and `count` agent namespaces with addresses `<subnet>.2` upwards, named
   * `<prefix>-<random>-hub` and `<prefix>-<random>-<n>`. They are deleted by destroy(), at process
   * exit, and on SIGINT/SIGTERM/SIGHUP (after which the signal takes its usual course when nothing
   * else listens for it).
   */
  static async create(count: number, subnet = '10.213.0', prefix = 'al'): Promise<NamespaceNetwork> {
    const support = namespaceSupport();
    if (!support.available) throw new NamespacesUnavailableError(support.reason);
    if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(subnet) || subnet.split('.').some((o) => Number(o) > 255)) {
      throw new InvalidOptionsError(`subnet must be three octets like "10.213.0", got "${subnet}"`);
    }
    if (!Number.isInteger(count) || count < 1 || count > 250)
      throw new InvalidOptionsError('namespaces mode supports 1 to 250 agents');
    if (!PREFIX.test(prefix)) {
      throw new InvalidOptionsError(`prefix must be 1-12 lower-case letters and digits, got "${prefix}"`);
    }
    const network = new NamespaceNetwork(`${prefix}-${randomBytes(3).toString('hex')}`);
    process.once('exit', network.exitCleanup);
    for (const signal of CLEANUP_SIGNALS) process.on(signal, network.signalCleanup);
    try {
      await network.addNamespace(network.hub);
      await ip(['-n', network.hub, 'link', 'add', 'br0', 'type', 'bridge']);
      await ip(['-n', network.hub, 'link', 'set', 'br0', 'up']);
      for (let n = 1; n <= count; n++) await network.addAgent(n, `${subnet}.${n + 1}`);
      return network;
    } catch (err) {
      await network.destroy();
      throw err;
    }
  }

  /** Deletes every namespace created (their veths and the bridge go with them). Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const failures: unknown[] = [];
    for (const name of [...this.created].reverse()) {
      await this.deleteNamespace(name).catch((err: unknown) => failures.push(err));
    }
    // Only now: an exit while deleting still removes what is left.
    this.removeCleanupListeners();
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Runs `command args` inside one of this network's namespaces (`ip netns exec`), e.g. `nft` or
   * `ip`, with `input` on its stdin; resolves with its stdout, rejects with NamespaceCommandError.
   */
  exec(namespace: string, command: string, args: readonly string[], input?: string): Promise<string> {
    if (!this.created.includes(namespace)) {
      const ours = this.created.join(', ');
      return Promise.reject(new InvalidOptionsError(`"${namespace}" is not a namespace of this network (${ours})`));
    }
    if (this.destroyed) return Promise.reject(new InvalidOptionsError(`the network of "${namespace}" was destroyed`));
    return ip(['netns', 'exec', namespace, command, ...args], input);
  }

  private removeCleanupListeners(): void {
    process.off('exit', this.exitCleanup);
    for (const signal of CLEANUP_SIGNALS) process.off(signal, this.signalCleanup);
  }

  /** At exit: deletes whatever is left (also when destroy() was cut short), retrying busy ones for up to 3 s. */
  private destroySync(): void {
    this.destroyed = true;
    let left = this.created.filter(namespaceExists);
    for (let attempt = 1; left.length > 0 && attempt <= DELETE_ATTEMPTS; attempt++) {
      if (attempt > 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, DELETE_RETRY_MS);
      for (const name of left) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      left = left.filter(namespaceExists);
    }
  }

  private async deleteNamespace(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await ip(['netns', 'del', name]);
        return;
      } catch (err) {
        if (attempt >= DELETE_ATTEMPTS || !namespaceExists(name)) throw err;
        await sleep(DELETE_RETRY_MS);
      }
    }
  }

  private async addNamespace(name: string): Promise<void> {
    if (this.destroyed) throw new InvalidOptionsError(`network ${this.hub} was destroyed while it was being created`);
    await ip(['netns', 'add', name]);
    this.created.push(name);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  }

  private async addAgent(n: number, address: string): Promise<void> {
    const ns = `${this.hub.slice(0, -4)}-${n}`;
    await this.addNamespace(ns);
    const port = `p${n}`;
    await ip(['-n', this.hub, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await ip(['-n', this.hub, 'link', 'set', port, 'master', 'br0']);
    await ip(['-n', this.hub, 'link', 'set', port, 'up']);
    await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    this.namespaces.push(ns);
    this.addresses.push(address);
  }
}
