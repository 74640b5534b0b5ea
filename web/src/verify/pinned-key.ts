/**
 * The log key the page checks receipts against, pinned in this browser (localStorage): taken from
 * the server on the first visit, replaced only when the reader pins another in Settings. A
 * server that later publishes a different key is shown as a mismatch, never silently trusted.
 */
const storage_key = 'phaseline.pinnedLogKey';

export function pinnedKey(): string | null {
  return localStorage.getItem(storage_key);
}

export function pinKey(key: string): void {
  localStorage.setItem(storage_key, key.trim());
}

/** Pins `served` when nothing is pinned yet; returns the pinned key. */
export function pinOnFirstUse(served: string): string {
  const p = pinnedKey();
  if (p !== null) return p;
  pinKey(served);
  return served;
}
