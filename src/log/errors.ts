/**
 * Errors of the transparency-log core.
 *
 * Two kinds, because callers react differently: a `LogFormatError` means some bytes we were
 * given (a tile, a bundle, a checkpoint, a receipt) are malformed, and says where; a
 * `ProofError` means well-formed inputs do not prove what was claimed (RFC 9162 §2.1.3.2,
 * §2.1.4.2), which for a verifier is evidence of a misbehaving log, not of a typo.
 */

/**
 * Malformed log data. `where` names the object (a tile path such as `tile/0/x001/234`, a
 * checkpoint line, a receipt line) so a user can find the bad bytes; the message starts with it.
 */
export class LogFormatError extends Error {
  /** The object the bad bytes belong to, e.g. `tile/0/x001/234` or `checkpoint line 2`. */
  readonly where: string;

  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'LogFormatError';
    this.where = where;
  }
}

/**
 * A proof that does not verify (RFC 9162 §2.1.3.2 inclusion, §2.1.4.2 consistency), or a
 * receipt whose checkpoint does not cover its entry. The message says which check failed.
 */
export class ProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProofError';
  }
}
