import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { isDevelopmentCertificate, type TlsCredentials } from '@agentlink/transport';
import { ConfigError, ProductionCertificatesRequiredError } from '../errors';
import type { FleetConfig } from './fleet-config';

function certificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

/**
 * Reads the agent's certificate, key and CA. With NODE_ENV=production it refuses to start
 * without certificate paths or with development certificates, before anything listens.
 */
export async function loadCredentials(config: FleetConfig, source: string, env: NodeJS.ProcessEnv = process.env): Promise<TlsCredentials> {
  const production = env.NODE_ENV === 'production';
  if (config.tls === undefined) {
    if (production) throw new ProductionCertificatesRequiredError('the configuration has no tls section (certFile, keyFile, caFile)');
    throw new ConfigError(source, 'tls { certFile, keyFile, caFile } is required: every agent of a configured fleet needs a certificate from the fleet CA');
  }
  const read = async (file: string, field: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if (production) throw new ProductionCertificatesRequiredError(`tls.${field} ${file} cannot be read`, error);
      throw new ConfigError(source, `tls.${field} ${file} cannot be read`, error);
    }
  };
  const [certPem, keyPem, caPem] = await Promise.all([read(config.tls.certFile, 'certFile'), read(config.tls.keyFile, 'keyFile'), read(config.tls.caFile, 'caFile')]);
  let parsed: X509Certificate[];
  try {
    parsed = [...certificates(certPem), ...certificates(caPem)];
  } catch (error) {
    throw new ConfigError(source, 'tls.certFile or tls.caFile holds an unreadable certificate', error);
  }
  if (parsed.length < 2) throw new ConfigError(source, 'tls.certFile and tls.caFile must each hold at least one PEM certificate');
  if (production) {
    const dev = parsed.find((cert) => isDevelopmentCertificate(cert));
    if (dev !== undefined) throw new ProductionCertificatesRequiredError(`"${dev.subject.replace(/\n/g, ', ')}" is a development certificate`);
  }
  return { certPem, keyPem, caPem };
}
