import { CertificateVerificationError } from '../errors';
import type { PeerIdentity } from '../pki/certificate-inspection';
import { parseCertificate } from '../pki/certificate-inspection';

/** Peer identities remembered per transport (same certificate bytes, role and host: same verdict). */
const IDENTITY_CACHE_SIZE = 256;

type Identify = (
  chain: readonly Uint8Array[],
  role: 'client' | 'server',
  address: string,
  host?: string,
) => PeerIdentity;

/**
 * A resumed TLS session (0-RTT or not) skips BoringSSL's chain verification: the chain is the one
 * verified when the ticket was issued. Its dates are checked again here, so a certificate that
 * expired since is refused as a full handshake would refuse it.
 */
function assertChainCurrent(chain: readonly Uint8Array[]): void {
  const now = Date.now();
  for (const der of chain) {
    const cert = parseCertificate(der);
    if (Date.parse(cert.validTo) <= now || Date.parse(cert.validFrom) > now) {
      throw new CertificateVerificationError(`certificate_expired (resumed session): ${cert.subject}`);
    }
  }
}

/** Our identity and policy verdicts on peers' chains, cached: a pure function of the bytes, role and host. */
export class PeerIdentities {
  private readonly cache = new Map<string, PeerIdentity>();

  constructor(
    private readonly identifyPeer: Identify,
    private readonly verifyPeer: boolean,
  ) {}

  identify(
    chain: readonly Uint8Array[],
    role: 'client' | 'server',
    address: string,
    serverName?: string,
    resumed = false,
  ): PeerIdentity {
    if (!this.verifyPeer || chain.length === 0) return this.identifyPeer(chain, role, address, serverName);
    if (resumed) assertChainCurrent(chain);
    // Dates are checked natively on a full handshake (above on a resumed one), so they stay out of the key.
    const key = `${role}|${serverName ?? ''}|${chain.map((der) => Buffer.from(der).toString('base64')).join('|')}`;
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const identity = this.identifyPeer(chain, role, address, serverName);
    if (this.cache.size >= IDENTITY_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, identity);
    return identity;
  }

  clear(): void {
    this.cache.clear();
  }
}
