/**
 * Zone geometry is checked the way a map and a point-in-polygon test need it: closed rings of at
 * least four positions, no crossing boundary, WGS84 longitude/latitude in range.
 */
import { describe, expect, it } from 'vitest';
import { checkZoneGeometry } from '../../src/agreement/geometry.js';

const square = [
  [35, 33],
  [35.1, 33],
  [35.1, 33.1],
  [35, 33.1],
  [35, 33],
];
const hole = [
  [35.02, 33.02],
  [35.02, 33.05],
  [35.05, 33.05],
  [35.05, 33.02],
  [35.02, 33.02],
];

describe('zone geometry', () => {
  it('accepts a closed square, a polygon with a hole, and a MultiPolygon', () => {
    expect(checkZoneGeometry({ type: 'Polygon', coordinates: [square] })).toEqual([]);
    expect(checkZoneGeometry({ type: 'Polygon', coordinates: [square, hole] })).toEqual([]);
    expect(checkZoneGeometry({ type: 'MultiPolygon', coordinates: [[square], [hole]] })).toEqual([]);
  });

  it('rejects a bow tie, naming where the boundary crosses itself', () => {
    const bowTie = [
      [35, 33],
      [35.1, 33.1],
      [35.1, 33],
      [35, 33.1],
      [35, 33],
    ];
    expect(checkZoneGeometry({ type: 'Polygon', coordinates: [bowTie] })).toEqual([
      {
        path: ['coordinates', 0],
        message: expect.stringMatching(/^ring intersects itself at \[35\.05, 33\.05\]/),
      },
    ]);
  });

  it('rejects a ring that is not closed', () => {
    const open = square.slice(0, 4).concat([[35, 33.05]]);
    expect(checkZoneGeometry({ type: 'Polygon', coordinates: [open] })[0]!.message).toMatch(
      /ring is not closed/,
    );
  });

  it('rejects a ring of fewer than four positions', () => {
    expect(
      checkZoneGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [35, 33],
            [35.1, 33],
            [35, 33],
          ],
        ],
      })[0]!.message,
    ).toMatch(/at least 4 positions.*has 3/);
  });

  it('rejects positions outside WGS84 bounds, pointing at the position (lat/lon swapped is the usual cause)', () => {
    const swapped = square.map(([x, y]) => [y! * 6, x!]);
    const problems = checkZoneGeometry({ type: 'Polygon', coordinates: [swapped] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toEqual({
      path: ['coordinates', 0, 0],
      message: expect.stringMatching(/outside WGS84 bounds/),
    });
  });

  it('rejects other geometry types', () => {
    expect(checkZoneGeometry({ type: 'LineString', coordinates: square })[0]!.path).toEqual(['type']);
  });

  it('reports the same problems when asked twice (results are remembered, not shared)', () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [35, 33],
          [35.1, 33.1],
          [35.1, 33],
          [35, 33.1],
          [35, 33],
        ],
      ],
    };
    const first = checkZoneGeometry(bowTie);
    first[0]!.message = 'changed by the caller';
    expect(checkZoneGeometry(bowTie)[0]!.message).toMatch(/^ring intersects itself/);
  });
});
