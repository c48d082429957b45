/**
 * Short ECDSA P-256 PKI for the QUIC benchmarks: one CA, a server leaf and a client leaf
 * (leaf plus one, so the server's first flight stays small). Generated with the openssl CLI
 * in a temporary directory that is removed again.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchIdentity {
  key: string;
  cert: string;
}
export interface BenchPki {
  ca: string;
  server: BenchIdentity;
  client: BenchIdentity;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Creates a CA plus server (SAN localhost/127.0.0.1, serverAuth) and client (clientAuth) leaves. */
export function createBenchPki(): BenchPki {
  const dir = mkdtempSync(join(tmpdir(), 'quic-bench-pki-'));
  try {
    const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(dir, ['req', '-x509', ...curve, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
      '-subj', '/CN=bench-ca', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const leaf = (name: string, ext: string): BenchIdentity => {
      writeFileSync(join(dir, `${name}.ext`), ext);
      openssl(dir, ['req', '-new', ...curve, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
      openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
        '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
      // PKCS#8 is what BoringSSL and node:tls both accept.
      openssl(dir, ['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-out', `${name}.p8`]);
      return {
        key: readFileSync(join(dir, `${name}.p8`), 'utf8'),
        cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
      };
    };
    const common = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n';
    const server = leaf('server', `${common}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`);
    const client = leaf('client', `${common}extendedKeyUsage=clientAuth\nsubjectAltName=DNS:client\n`);
    return { ca: readFileSync(join(dir, 'ca.crt'), 'utf8'), server, client };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
