/** OpenAPI fragments the route files share (the document is served at /openapi.json). */

export const errorSchema = {
  type: 'object',
  description: 'A rejection: a stable code (see the status table) and a sentence saying what to do.',
  properties: { code: { type: 'string' }, message: { type: 'string' }, id: { type: 'string' } },
};

export const atQuery = {
  type: 'object',
  properties: {
    at: {
      type: 'string',
      description:
        'A time (RFC 3339 or a date); default now (to the second). State at a past time folds only entries admitted by then.',
    },
    offset: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'Lists of incidents and strikes: the first record to return (in log order).',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
      default: 1000,
      description:
        'Lists of incidents and strikes: at most this many of each (the answer gives the totals and the next page).',
    },
  },
};

export const anyObject = (description: string) => ({
  description,
  type: 'object',
  additionalProperties: true,
});
