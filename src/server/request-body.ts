/**
 * What a request body may declare about its bytes. The server reads bodies as UTF-8 JSON or
 * NDJSON and nothing else: a declared charset other than UTF-8, or a content coding (gzip,
 * deflate, br…), is refused with 415 and a sentence saying what to send instead, rather than
 * read as if it had not been declared (RFC 9110 §8.4: a server that does not accept a coding
 * answers 415; RFC 8259 §8.1: JSON exchanged between systems is UTF-8).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './auth.js';

/** An `application/x-ndjson` body, as bytes: its lines are decoded one by one (a bad byte refuses only its line). */
export class NdjsonBody {
  constructor(readonly bytes: Buffer) {}
}

/** Throws an `unsupported-charset` or `unsupported-encoding` {@link ApiError} (415) for a body the server cannot read as sent. */
export function refuseUnreadableBody(headers: IncomingHttpHeaders): void {
  const coding = headers['content-encoding'];
  if (coding !== undefined && coding.trim() !== '' && coding.trim().toLowerCase() !== 'identity')
    throw new ApiError(
      'unsupported-encoding',
      `Content-Encoding ${JSON.stringify(coding)} is not accepted: send the body uncompressed, without Content-Encoding`,
    );
  const type = headers['content-type'];
  if (type === undefined) return;
  for (const parameter of type.split(';').slice(1)) {
    const eq = parameter.indexOf('=');
    if (eq === -1 || parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = parameter
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8')
      throw new ApiError(
        'unsupported-charset',
        `Content-Type declares charset=${charset}; this server reads UTF-8 only: send the body as UTF-8, with charset=utf-8 or no charset`,
      );
  }
}
