/**
 * How a rejection code (the engine's `AdmitCode`, the door's, or the server's own) maps to an
 * HTTP status. One table, documented in the OpenAPI document (/openapi.json), so clients
 * can branch on the status and show the `message`.
 */

export const STATUS_BY_CODE: Record<string, number> = {
  // 400: the request itself is malformed: fix the JSON or the envelope's shape.
  'malformed-json': 400,
  'duplicate-member': 400,
  'invalid-utf8': 400,
  schema: 400,
  'duplicate-signer': 400,
  'bad-request': 400,
  'bad-time': 400,
  // 401: the credential (the signature, or the bearer token) does not prove who you are.
  signature: 401,
  'unknown-key': 401,
  'bad-token': 401,
  // 403: who you are is known, but that key or party may not do this.
  'revoked-key': 403,
  'key-party-mismatch': 403,
  'unknown-party': 403,
  'role-not-allowed': 403,
  'not-cleared': 403,
  // 404
  'not-found': 404,
  // 409: the log already holds this, or the statement contradicts the record.
  'duplicate-statement': 409,
  'duplicate-nonce': 409,
  conflict: 409,
  // 413: too big (the HTTP body, or a statement over the 64,000-byte limit).
  'body-too-large': 413,
  size: 413,
  // 415
  'unsupported-media-type': 415,
  'unsupported-charset': 415,
  'unsupported-encoding': 415,
  // 422: well-formed and well-signed, but the agreement's rules reject it.
  'wrong-agreement': 422,
  'unknown-subject': 422,
  'reserved-id': 422,
  'clock-skew': 422,
  backdated: 422,
  // 429 / 503: try again later.
  'rate-limited': 429,
  overloaded: 503,
  unavailable: 503,
};

/** The HTTP status for a rejection code; an engine code this table does not know is a 422. */
export function statusFor(code: string): number {
  return STATUS_BY_CODE[code] ?? 422;
}

/** The table as Markdown, for the OpenAPI description. */
export function statusTableMarkdown(): string {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(STATUS_BY_CODE)) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), `\`${code}\``]);
  }
  const rows = [...byStatus.entries()].sort((a, b) => a[0] - b[0]);
  return [
    '| HTTP status | codes |',
    '|---|---|',
    ...rows.map(([s, codes]) => `| ${s} | ${codes.join(', ')} |`),
    '| 422 | any other engine rejection code |',
  ].join('\n');
}
