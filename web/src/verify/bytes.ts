/**
 * Byte helpers for the in-browser verifier: strict base64, UTF-8 and SHA-256 through WebCrypto
 * (`crypto.subtle`, present in every current browser and in Node 20, where the unit tests run).
 */

const utf8 = new TextEncoder();

/** What WebCrypto takes as bytes, named so that both the DOM's and Node's typings accept it. */
export type CryptoBytes = Parameters<typeof crypto.subtle.digest>[1];

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Standard base64 (with padding); anything that does not re-encode to the same text is refused. */
export function fromBase64(text: string, what: string): Uint8Array {
  let raw: string;
  try {
    raw = atob(text);
  } catch {
    throw new Error(`${what} is not base64`);
  }
  const out = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  if (toBase64(out) !== text) throw new Error(`${what} is not standard base64`);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as CryptoBytes));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
