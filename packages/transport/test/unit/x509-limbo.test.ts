import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerCertificatePolicyError, PeerIdentityError } from '../../src/errors';
import { checkPeerCertificate } from '../../src/security/peer-verification';
import type { CertificatePolicyReason } from '../../src/security/policy-reasons';

/**
 * x509-limbo vectors (test/fixtures/x509-limbo) through the verification path of both
 * transports: the chain check the TLS library does (here node:crypto: issuer names, signatures,
 * CA bit of issuers, the trust anchor's dates), then our certificate policy and host check on
 * the chain the peer presented (leaf + intermediates), as a listener's certificate ('server').
 */

interface LimboCase {
  readonly id: string;
  readonly expected_result: 'SUCCESS' | 'FAILURE';
  readonly trusted_certs: readonly string[];
  readonly untrusted_intermediates: readonly string[];
  readonly peer_certificate: string;
  readonly validation_time: string | null;
  readonly expected_peer_name: { readonly kind: string; readonly value: string } | null;
}

/** Who decides a case: accepted, the chain check ('chain'), the host check ('identity') or a policy rule. */
type Outcome = 'accepted' | 'chain' | 'identity' | CertificatePolicyReason;

/** Cases our rules cover: the verdict must be limbo's, and for the reason named here. */
const FOLLOWED: Readonly<Record<string, Outcome>> = {
  // A leaf must not be able to sign certificates.
  'webpki::ee-basicconstraints-ca': 'ca-certificate',
  'rfc5280::leaf-ku-keycertsign': 'key-usage',
  'rfc5280::no-basicconstraints': 'accepted',
  'rfc5280::no-keyusage': 'accepted',
  // Extended key usage for the role (serverAuth here), never "any".
  'rfc5280::eku::ee-wrong-eku': 'extended-key-usage',
  'webpki::eku::ee-without-eku': 'extended-key-usage',
  'webpki::eku::ee-anyeku': 'extended-key-usage',
  'webpki::v1-cert': 'extended-key-usage',
  // Keys: RSA >= 2048, EC P-256 / P-384, Ed25519.
  'webpki::forbidden-p192-spki-leaf': 'ec-curve',
  'webpki::forbidden-dsa-spki-leaf': 'key-algorithm',
  'webpki::forbidden-signature-algorithm-in-leaf': 'key-algorithm',
  // Validity: presented certificates by the policy, the trust anchor by the chain check.
  'rfc5280::validity::expired-leaf': 'expired',
  'rfc5280::validity::expired-intermediate': 'expired',
  'rfc5280::validity::expired-root': 'chain',
  // Host names: SAN only, a wildcard only as a whole leftmost label.
  'webpki::san::exact-san': 'accepted',
  'webpki::san::mismatch-domain-san': 'identity',
  'webpki::san::mismatch-subdomain-san': 'identity',
  'webpki::san::mismatch-subdomain-apex-san': 'identity',
  'webpki::san::mismatch-apex-subdomain-san': 'identity',
  'webpki::san::public-suffix-wildcard-san': 'identity',
  'webpki::san::leftmost-wildcard-san': 'accepted',
  'webpki::san::wildcard-embedded-leftmost-san': 'identity',
  'webpki::san::wildcard-not-in-leftmost-san': 'identity',
  'webpki::san::wildcard-match-across-labels-san': 'identity',
  'webpki::san::wildcard-embedded-ulabel-san': 'identity',
  'webpki::san::unicode-emoji-san': 'identity',
  'webpki::san::no-san': 'identity',
  // Real-world chains (RSA and EC, several CAs) pass every rule.
  'webpki::cryptographydotio-chain': 'accepted',
  'online::akamai.com': 'accepted',
  'online::bing.com': 'accepted',
  'online::fastly.com': 'accepted',
  'online::s3.amazonaws.com': 'accepted',
  'online::aws.amazon.com': 'accepted',
  'online::docs.python.org': 'accepted',
  'online::amazon.com': 'accepted',
  'online::facebook.com': 'accepted',
  'online::google.com': 'accepted',
  'online::storage.googleapis.com': 'accepted',
  'online::apple.com': 'accepted',
  'online::cloudflare.com': 'accepted',
  'online::microsoft.com': 'accepted',
  'online::stackoverflow.com': 'accepted',
};

/** Cases we knowingly decide otherwise: our outcome, and why. */
const DIVERGENT: Readonly<Record<string, { readonly ours: Outcome; readonly why: string }>> = {
  'rfc5280::eku::ee-without-eku': {
    ours: 'extended-key-usage',
    why: 'an agent certificate must name its role (as webpki::eku::ee-without-eku)',
  },
  'pathlen::validation-ignores-pathlen-in-leaf': {
    ours: 'ca-certificate',
    why: 'a CA certificate never identifies an agent, even where RFC 5280 allows it as the last in a path',
  },
  'rfc5280::nc::permitted-dn-match': {
    ours: 'identity',
    why: 'the name is only in the subject CN; we match host names against SANs only',
  },
  'webpki::eku::ee-critical-eku': {
    ours: 'accepted',
    why: 'criticality of the EKU extension is a CA/Browser Forum profile rule, not ours',
  },
  'webpki::eku::root-has-eku': {
    ours: 'accepted',
    why: 'EKU on a trust anchor is a CA/Browser Forum profile rule; the EKU rule applies to the leaf',
  },
  'webpki::san::san-critical-with-nonempty-subject': {
    ours: 'accepted',
    why: 'we check the names in the SAN, not the criticality flag (a profile rule)',
  },
  'rfc5280::san::noncritical-with-empty-subject': {
    ours: 'accepted',
    why: 'as above: SAN criticality is not checked',
  },
};

const here = path.dirname(fileURLToPath(import.meta.url));
const limbo = JSON.parse(readFileSync(path.join(here, '../fixtures/x509-limbo/limbo-subset.json'), 'utf8')) as {
  testcases: LimboCase[];
};

const validAt = (cert: X509Certificate, now: number): boolean =>
  Date.parse(cert.validFrom) <= now && now < Date.parse(cert.validTo);
const issuedBy = (child: X509Certificate, issuer: X509Certificate): boolean =>
  child.checkIssued(issuer) && child.verify(issuer.publicKey);

/** The presented part of a path from the leaf to a trusted certificate, as a TLS library builds it, or undefined. */
function buildPath(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: number,
): X509Certificate[] | undefined {
  const search = (chain: X509Certificate[]): X509Certificate[] | undefined => {
    const last = chain[chain.length - 1]!;
    if (roots.some((root) => root.ca && validAt(root, now) && issuedBy(last, root))) return chain;
    if (chain.length > 8) return undefined;
    for (const next of intermediates) {
      if (chain.includes(next) || !next.ca || !issuedBy(last, next)) continue;
      const found = search([...chain, next]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return search([leaf]);
}

function outcomeOf(testcase: LimboCase): Outcome {
  const now = testcase.validation_time === null ? Date.now() : Date.parse(testcase.validation_time);
  const parse = (pem: string): X509Certificate => new X509Certificate(pem);
  const presented = buildPath(
    parse(testcase.peer_certificate),
    testcase.untrusted_intermediates.map(parse),
    testcase.trusted_certs.map(parse),
    now,
  );
  if (presented === undefined) return 'chain';
  const host =
    testcase.expected_peer_name?.kind === 'DNS' || testcase.expected_peer_name?.kind === 'IP'
      ? testcase.expected_peer_name.value
      : undefined;
  try {
    checkPeerCertificate(presented, 'server', host, { now });
    return 'accepted';
  } catch (error) {
    if (error instanceof PeerCertificatePolicyError) return error.reason;
    if (error instanceof PeerIdentityError) return 'identity';
    throw error;
  }
}

const byId = new Map(limbo.testcases.map((testcase) => [testcase.id, testcase]));

describe('x509-limbo vectors through the chain check and the certificate policy', () => {
  it('holds every case it names, and at least 30 followed ones', () => {
    expect([...byId.keys()].sort()).toEqual([...Object.keys(FOLLOWED), ...Object.keys(DIVERGENT)].sort());
    expect(Object.keys(FOLLOWED).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(FOLLOWED))('%s: limbo verdict, decided by %s', (id, expected) => {
    const testcase = byId.get(id)!;
    const outcome = outcomeOf(testcase);
    expect(outcome === 'accepted' ? 'SUCCESS' : 'FAILURE').toBe(testcase.expected_result);
    expect(outcome).toBe(expected);
  });

  it.each(Object.entries(DIVERGENT))('%s: knowingly not followed', (id, { ours }) => {
    const testcase = byId.get(id)!;
    const outcome = outcomeOf(testcase);
    expect(outcome === 'accepted' ? 'SUCCESS' : 'FAILURE').not.toBe(testcase.expected_result);
    expect(outcome).toBe(ours);
  });
});
