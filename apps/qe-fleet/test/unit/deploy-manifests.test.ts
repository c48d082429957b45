import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { validateConfig } from '../../src/config/fleet-config';
import { findRepoRoot } from '../../src/suite/suite-files';

const root = findRepoRoot(import.meta.dirname ?? process.cwd())!;
const deployDir = path.join(root, 'deploy');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

type Doc = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, any>;
  data?: Record<string, string>;
  resources?: string[];
  configMapGenerator?: Array<{ files: string[] }>;
};

function load(file: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) expect(doc.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

const all = yamlFiles(deployDir).map((file) => ({ file, docs: load(file) }));
const byKind = (kind: string): Doc[] => all.flatMap((f) => f.docs).filter((d) => d.kind === kind);

describe('deploy/ Kubernetes manifests', () => {
  it('every YAML file parses and every object has apiVersion, kind and a name', () => {
    expect(all.length).toBeGreaterThanOrEqual(9);
    for (const { file, docs } of all) {
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect({ file, apiVersion: typeof doc.apiVersion, kind: typeof doc.kind }).toEqual({
          file,
          apiVersion: 'string',
          kind: 'string',
        });
        if (doc.kind !== 'Kustomization') expect(typeof doc.metadata?.name).toBe('string');
      }
    }
  });

  it('kustomizations list only files that exist', () => {
    for (const { file, docs } of all.filter((f) => path.basename(f.file) === 'kustomization.yaml')) {
      const k = docs[0]!;
      for (const resource of [...(k.resources ?? []), ...(k.configMapGenerator ?? []).flatMap((g) => g.files)]) {
        expect(existsSync(path.resolve(path.dirname(file), resource))).toBe(true);
      }
    }
  });

  it('runs the agents as a StatefulSet behind a headless service with UDP and TCP ports', () => {
    const [set] = byKind('StatefulSet');
    const [service] = byKind('Service');
    expect(set!.spec!.serviceName).toBe(service!.metadata!.name);
    expect(service!.spec!.clusterIP).toBe('None');
    const ports = set!.spec!.template.spec.containers[0].ports.map(
      (p: { containerPort: number; protocol: string }) => `${p.containerPort}/${p.protocol}`,
    );
    expect(ports).toEqual(['4433/UDP', '4434/TCP', '9464/TCP']);
    expect(set!.spec!.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([{ name: 'NODE_ENV', value: 'production' }]),
    );
  });

  it('gives every replica a configuration the app accepts, naming all other replicas as peers', () => {
    const [set] = byKind('StatefulSet');
    const [configMap] = byKind('ConfigMap').filter((c) => c.metadata?.name === 'qe-fleet-config');
    const replicas = set!.spec!.replicas as number;
    expect(Object.keys(configMap!.data!)).toHaveLength(replicas);
    for (let i = 0; i < replicas; i += 1) {
      const config = validateConfig(JSON.parse(configMap!.data![`qe-fleet-${i}.json`]!), `qe-fleet-${i}.json`);
      expect(config.agent.id).toBe(`qe-fleet-${i}`);
      expect(config.peers).toHaveLength(replicas - 1);
      expect(config.tls).toBeDefined();
    }
  });
});
