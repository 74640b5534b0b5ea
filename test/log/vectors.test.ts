// The transparency-dev/merkle test vectors (testdata/vectors/README.md): every happy path must
// verify and every negative case (wantErr) must be rejected, as by the Go reference verifier.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyConsistency, verifyInclusion } from '../../src/log/proof.js';
import { emptyRoot, leafHash, rootFromLeafHashes } from '../../src/log/rfc6962.js';

const dir = join(import.meta.dirname, '../../testdata/vectors/transparency-dev-merkle');

function jsonFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const p = join(root, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string) => Buffer.from(s, 'base64');
const rel = (p: string) => p.slice(dir.length + 1);

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const inclusion = jsonFiles(join(dir, 'testdata/inclusion')).map(
  (p) => [rel(p), JSON.parse(readFileSync(p, 'utf8')) as InclusionCase] as const,
);
const consistency = jsonFiles(join(dir, 'testdata/consistency')).map(
  (p) => [rel(p), JSON.parse(readFileSync(p, 'utf8')) as ConsistencyCase] as const,
);

describe('transparency-dev/merkle inclusion vectors', () => {
  it('are all present', () => {
    expect(inclusion.length).toBeGreaterThan(80);
    expect(inclusion.some(([, c]) => c.wantErr)).toBe(true);
  });
  it.each(inclusion)('%s', (_name, c) => {
    const run = () =>
      verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), (c.proof ?? []).map(b64), b64(c.root));
    if (c.wantErr) expect(run).toThrow();
    else expect(run).not.toThrow();
  });
});

describe('transparency-dev/merkle consistency vectors', () => {
  it('are all present', () => {
    expect(consistency.length).toBeGreaterThan(80);
  });
  it.each(consistency)('%s', (_name, c) => {
    const run = () =>
      verifyConsistency(c.size1, c.size2, (c.proof ?? []).map(b64), b64(c.root1), b64(c.root2));
    if (c.wantErr) expect(run).toThrow();
    else expect(run).not.toThrow();
  });
});

describe('transparency-dev/merkle roots for sizes 0-8', () => {
  const roots = JSON.parse(readFileSync(join(dir, 'roots.json'), 'utf8')) as {
    leaf_inputs_hex: string[];
    root_hashes_hex_by_size: string[];
  };
  const leaves = roots.leaf_inputs_hex.map((h) => leafHash(Buffer.from(h, 'hex')));
  it.each(roots.root_hashes_hex_by_size.map((r, size) => [size, r] as const))('size %i', (size, want) => {
    expect(rootFromLeafHashes(leaves.slice(0, size)).toString('hex')).toBe(want);
  });
  it('the empty root is SHA-256 of the empty string', () => {
    expect(emptyRoot.toString('hex')).toBe(roots.root_hashes_hex_by_size[0]);
  });
});
