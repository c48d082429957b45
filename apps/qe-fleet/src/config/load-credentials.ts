import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { isDevelopmentCertificate, type TlsCredentials } from '@agentlink/transport';
import { ConfigError, ConfigValueError, ProductionCertificatesRequiredError } from '../errors';
import type { FleetConfig } from './fleet-config';

function certificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  );
}

/**
 * Reads the agent's certificate, key and CA. Development certificates are refused unless the
 * configuration says `"development": true` (nothing else, NODE_ENV included, allows them),
 * before anything listens and at every reload.
 */
export async function loadCredentials(config: FleetConfig, source: string): Promise<TlsCredentials> {
  if (config.tls === undefined) {
    throw new ConfigValueError(
      source,
      'tls',
      undefined,
      'tls { certFile, keyFile, caFile } is required: ' +
        'every agent of a configured fleet needs a certificate from the fleet CA',
    );
  }
  const read = async (file: string, field: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigValueError(
        source,
        `tls.${field}`,
        file,
        `cannot be read (${(error as { code?: string }).code ?? String(error)})`,
        error,
      );
    }
  };
  const { certFile, keyFile, caFile } = config.tls;
  const [certPem, keyPem, caPem] = await Promise.all([
    read(certFile, 'certFile'),
    read(keyFile, 'keyFile'),
    read(caFile, 'caFile'),
  ]);
  let parsed: Array<{ file: string; cert: X509Certificate }>;
  try {
    parsed = [
      ...certificates(certPem).map((cert) => ({ file: certFile, cert })),
      ...certificates(caPem).map((cert) => ({ file: caFile, cert })),
    ];
  } catch (error) {
    throw new ConfigError(
      source,
      `tls.certFile (${certFile}) or tls.caFile (${caFile}) holds an unreadable certificate`,
      error,
      { code: 'ERR_CONFIG_VALUE', field: 'tls.certFile' },
    );
  }
  if (parsed.length < 2) {
    throw new ConfigError(
      source,
      `tls.certFile (${certFile}) and tls.caFile (${caFile}) must each hold at least one PEM certificate`,
      undefined,
      { code: 'ERR_CONFIG_VALUE', field: 'tls.certFile' },
    );
  }
  if (config.development !== true) {
    const dev = parsed.find(({ cert }) => isDevelopmentCertificate(cert));
    if (dev !== undefined) {
      const subject = dev.cert.subject.replace(/\n/g, ', ');
      throw new ProductionCertificatesRequiredError(
        `${dev.file}: "${subject}" is a development certificate and ${source} does not say "development": true`,
      );
    }
  }
  return { certPem, keyPem, caPem };
}
