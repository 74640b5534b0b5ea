/**
 * Colours of zone stages on the map and in the legend. The default stage graph's stages have
 * fixed colours (light to dark along the sequence, green when handed over); stages of other
 * agreements get a neutral colour until given one here. Text is never drawn on these fills, and
 * each swatch in the legend sits beside its name, so the colours carry no meaning alone.
 */
export const STAGE_COLOURS: Record<string, string> = {
  defined: '#b8b8b8',
  agreed: '#9ecae1',
  clearing: '#fdd166',
  'verified-clear': '#c2e699',
  withdrawn: '#78c679',
  deployed: '#4292c6',
  held: '#2171b5',
  'handed-over': '#238443',
  custody: '#bc80bd',
};

export const OTHER_STAGE_COLOUR = '#cccccc';

export function stageColour(stage: string | null | undefined): string {
  return (stage && STAGE_COLOURS[stage]) || OTHER_STAGE_COLOUR;
}

/** A MapLibre expression: the fill colour from the feature state `stage`. */
export function stageFillExpression(): unknown[] {
  const pairs = Object.entries(STAGE_COLOURS).flat();
  return ['match', ['coalesce', ['feature-state', 'stage'], ''], ...pairs, OTHER_STAGE_COLOUR];
}
