import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { InvalidOptionsError, NamespaceCommandError, NamespacesUnavailableError } from '../errors';

/** Whether network namespaces can be used here, and if not, why. */
export type NamespaceSupport = { readonly available: true } | { readonly available: false; readonly reason: string };

/** Checks for root and the `ip` tool (iproute2). */
export function namespaceSupport(): NamespaceSupport {
  if (process.platform !== 'linux') return { available: false, reason: `network namespaces need Linux, this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { available: false, reason: 'creating network namespaces needs root (uid 0)' };
  const probe = spawnSync('ip', ['-V'], { encoding: 'utf8', env: process.env });
  if (probe.error !== undefined || probe.status !== 0) {
    return { available: false, reason: 'the `ip` command (Debian package iproute2) is missing: apt-get install iproute2' };
  }
  return { available: true };
}

function ip(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (err === null) resolve();
      else reject(new NamespaceCommandError(args, String(stderr), err));
    });
  });
}

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
  private destroyed = false;

  private constructor(prefix: string) {
    this.hub = `${prefix}-hub`;
  }

  /** Creates the hub and `count` agent namespaces with addresses `<subnet>.2` upwards. */
  static async create(count: number, subnet = '10.213.0'): Promise<NamespaceNetwork> {
    const support = namespaceSupport();
    if (!support.available) throw new NamespacesUnavailableError(support.reason);
    if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(subnet) || subnet.split('.').some((o) => Number(o) > 255)) {
      throw new InvalidOptionsError(`subnet must be three octets like "10.213.0", got "${subnet}"`);
    }
    if (!Number.isInteger(count) || count < 1 || count > 250) throw new InvalidOptionsError('namespaces mode supports 1 to 250 agents');
    const network = new NamespaceNetwork(`al-${randomBytes(3).toString('hex')}`);
    process.once('exit', network.exitCleanup);
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
    process.off('exit', this.exitCleanup);
    const failures: unknown[] = [];
    for (const name of this.created.reverse()) {
      await ip(['netns', 'del', name]).catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) throw failures[0];
  }

  private destroySync(): void {
    for (const name of this.created) spawnSync('ip', ['netns', 'del', name]);
  }

  private async addNamespace(name: string): Promise<void> {
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
