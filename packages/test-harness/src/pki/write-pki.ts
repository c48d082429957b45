import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CertificateAuthority } from '@agentlink/transport';

/** Paths of one credential set on disk. */
export interface CredentialFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
}

/** Paths written by TestPki.writeToDirectory(). */
export interface PkiFiles {
  /** `<dir>/ca.pem`: the fleet CA certificate. */
  readonly caCertPath: string;
  /** `<dir>/ca.key.pem`: the fleet CA key (mode 0600), so other processes can issue more. */
  readonly caKeyPath: string;
  /** `<dir>/agents/<id>/{cert,key,ca}.pem`. */
  readonly agents: Readonly<Record<string, CredentialFiles>>;
  /** `<dir>/bad/<kind>/{cert,key,ca}.pem`. */
  readonly bad: Readonly<Record<string, CredentialFiles>>;
}

interface PemSet {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

async function writeSet(dir: string, set: PemSet): Promise<CredentialFiles> {
  await mkdir(dir, { recursive: true });
  const files = {
    certPath: path.join(dir, 'cert.pem'),
    keyPath: path.join(dir, 'key.pem'),
    caPath: path.join(dir, 'ca.pem'),
  };
  await Promise.all([
    writeFile(files.certPath, set.certPem),
    writeFile(files.keyPath, set.keyPem, { mode: 0o600 }),
    writeFile(files.caPath, set.caPem),
  ]);
  return files;
}

async function writeAll(
  dir: string,
  sets: Readonly<Record<string, PemSet>>,
): Promise<Record<string, CredentialFiles>> {
  const entries = await Promise.all(
    Object.entries(sets).map(async ([name, set]) => [name, await writeSet(path.join(dir, name), set)] as const),
  );
  return Object.fromEntries(entries);
}

/** Writes a PKI as PEM files below `dir`. */
export async function writePkiToDirectory(
  dir: string,
  pki: { ca: CertificateAuthority; agents: Readonly<Record<string, PemSet>>; bad: Readonly<Record<string, PemSet>> },
): Promise<PkiFiles> {
  await mkdir(dir, { recursive: true });
  const caCertPath = path.join(dir, 'ca.pem');
  const caKeyPath = path.join(dir, 'ca.key.pem');
  await writeFile(caCertPath, pki.ca.certPem);
  await writeFile(caKeyPath, pki.ca.keyPem, { mode: 0o600 });
  return {
    caCertPath,
    caKeyPath,
    agents: await writeAll(path.join(dir, 'agents'), pki.agents),
    bad: await writeAll(path.join(dir, 'bad'), pki.bad),
  };
}
