import type { TlsCredentials } from '../types';
import { isLoopbackAddress } from './endpoint/datagram-size';
import type { QuicheConfig } from './endpoint/native';

type Role = 'server' | 'client';
type Key = `${Role}:${'loopback' | 'path'}`;

/**
 * A transport's quiche configs: per role, and per kind of peer (on this host, with large
 * datagrams, or elsewhere), built when first needed and rebuilt when the credentials rotate.
 */
export class QuicheConfigs {
  private readonly built = new Map<Key, QuicheConfig>();

  constructor(private readonly build: (peerHost: string, credentials?: TlsCredentials) => QuicheConfig) {}

  /** The config for a connection with a peer at `peerHost` (an IP address). */
  get(role: Role, peerHost: string): QuicheConfig {
    const key: Key = `${role}:${isLoopbackAddress(peerHost) ? 'loopback' : 'path'}`;
    let config = this.built.get(key);
    if (config === undefined) {
      config = this.build(representative(key));
      this.built.set(key, config);
    }
    return config;
  }

  /** Rebuilds every config in use with new credentials; all or none (BoringSSL may refuse a key). */
  rebuild(credentials: TlsCredentials): void {
    const next = [...this.built.keys()].map((key) => [key, this.build(representative(key), credentials)] as const);
    for (const [key, config] of next) this.built.set(key, config);
  }

  clear(): void {
    this.built.clear();
  }
}

const representative = (key: Key): string => (key.endsWith(':loopback') ? '127.0.0.1' : '0.0.0.0');
