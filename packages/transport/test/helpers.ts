import { afterEach } from '@jest/globals';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
} from '../src/pki/certificate-authority';
import type { TlsCredentials } from '../src/types';

export interface TestPki {
  ca: CertificateAuthority;
  server: TlsCredentials;
  client: TlsCredentials;
}

/** A fleet CA with one server agent and one client agent (both usages 'both'). */
export async function createTestPki(): Promise<TestPki> {
  const ca = await createCertificateAuthority({ commonName: 'test fleet CA' });
  const server = await issueCertificate(ca, { agentId: 'server-agent', usage: 'both' });
  const client = await issueCertificate(ca, { agentId: 'client-agent', usage: 'both' });
  return {
    ca,
    server: { certPem: server.certPem, keyPem: server.keyPem, caPem: ca.certPem },
    client: { certPem: client.certPem, keyPem: client.keyPem, caPem: ca.certPem },
  };
}

/** Resolves when `predicate` holds, polling each event-loop turn, or rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** What a test opens (push it here): closed after each test, the last opened first. */
export function closedAfterEach(): Array<{ close(): Promise<void> }> {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  return open;
}
