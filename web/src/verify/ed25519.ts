/**
 * Ed25519 signature checks. WebCrypto's Ed25519 (Chromium since 137, Firefox, Safari, Node 20)
 * is used where the browser has it; where it does not, @noble/ed25519 (audited, maintained)
 * checks the same signature, so an older browser still verifies rather than giving up.
 */
import * as noble from '@noble/ed25519';
import type { CryptoBytes } from './bytes.js';

export type Ed25519Engine = 'webcrypto' | '@noble/ed25519';

let webcrypto: boolean | undefined;

async function hasWebCryptoEd25519(): Promise<boolean> {
  if (webcrypto === undefined) {
    try {
      await crypto.subtle.importKey('raw', new Uint8Array(32) as CryptoBytes, { name: 'Ed25519' }, false, [
        'verify',
      ]);
      webcrypto = true;
    } catch {
      webcrypto = false;
    }
  }
  return webcrypto;
}

/** Which implementation {@link verifyEd25519} uses in this browser. */
export async function ed25519Engine(): Promise<Ed25519Engine> {
  return (await hasWebCryptoEd25519()) ? 'webcrypto' : '@noble/ed25519';
}

/** True when `signature` (64 bytes) is a valid Ed25519 signature of `message` by `publicKey` (32 bytes). */
export async function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  if (await hasWebCryptoEd25519()) {
    try {
      const key = await crypto.subtle.importKey('raw', publicKey as CryptoBytes, { name: 'Ed25519' }, false, [
        'verify',
      ]);
      return await crypto.subtle.verify(
        { name: 'Ed25519' },
        key,
        signature as CryptoBytes,
        message as CryptoBytes,
      );
    } catch {
      // A key WebCrypto refuses to import (not a curve point) cannot have signed anything.
      return false;
    }
  }
  try {
    return await noble.verifyAsync(signature, message, publicKey);
  } catch {
    return false;
  }
}
