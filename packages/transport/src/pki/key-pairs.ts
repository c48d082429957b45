import { generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { InvalidOptionsError } from '@agentlink/resilience';

/**
 * The key of an issued certificate. The transport's certificate policy accepts RSA >= 2048 bits,
 * EC P-256 / P-384 and Ed25519; the other choices exist to test that it refuses them.
 */
export type CertificateKeySpec =
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384' | 'P-521' | 'secp256k1' }
  | { readonly type: 'rsa'; readonly bits: number }
  | { readonly type: 'ed25519' };

/** A generated key pair in the forms the certificate builder needs. */
export interface GeneratedKeyPair {
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: ArrayBuffer;
  /** PKCS#8 PEM of the private key. */
  readonly keyPem: string;
  readonly privateKey: KeyObject;
}

const generate = promisify(generateKeyPair);

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Generates a key pair of the given kind (default EC P-256). */
export async function generateCertificateKeys(
  spec: CertificateKeySpec = { type: 'ec', curve: 'P-256' },
): Promise<GeneratedKeyPair> {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  if (spec.type === 'ec') {
    if (!['P-256', 'P-384', 'P-521', 'secp256k1'].includes(spec.curve))
      throw new InvalidOptionsError(`unknown EC curve ${String(spec.curve)}`);
    pair = await generate('ec', { namedCurve: spec.curve });
  } else if (spec.type === 'rsa') {
    if (!Number.isInteger(spec.bits) || spec.bits < 512 || spec.bits > 8192)
      throw new InvalidOptionsError('RSA bits must be an integer 512-8192');
    pair = await generate('rsa', { modulusLength: spec.bits });
  } else if (spec.type === 'ed25519') {
    pair = await generate('ed25519');
  } else {
    throw new InvalidOptionsError(`unknown key type ${JSON.stringify(spec)}`);
  }
  return {
    spki: toArrayBuffer(pair.publicKey.export({ type: 'spki', format: 'der' })),
    keyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey: pair.privateKey,
  };
}

type SigningAlgorithm = { name: string; hash?: string; namedCurve?: string };

/** The WebCrypto signing algorithm for a key of `spec` (self-signed certificates sign with their own key). */
export function signingAlgorithmFor(spec: CertificateKeySpec = { type: 'ec', curve: 'P-256' }): SigningAlgorithm {
  if (spec.type === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (spec.type === 'ed25519') return { name: 'Ed25519' };
  if (spec.curve === 'secp256k1')
    throw new InvalidOptionsError('a secp256k1 key cannot sign (WebCrypto lacks the curve); issue it from a CA');
  const hash = spec.curve === 'P-256' ? 'SHA-256' : spec.curve === 'P-384' ? 'SHA-384' : 'SHA-512';
  return { name: 'ECDSA', namedCurve: spec.curve, hash };
}

/** Imports a private key for signing with `algorithm`. */
export async function importSigningKey(privateKey: KeyObject, algorithm: SigningAlgorithm): Promise<CryptoKey> {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  return (await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])) as unknown as CryptoKey;
}
