import { describe, expect, it } from 'vitest';
import { largeGraph, layoutOptions } from './layout';

describe('layoutOptions', () => {
  it('keeps the thorough layout for ordinary graphs', () => {
    const options = layoutOptions(40);
    expect(options['elk.algorithm']).toBe('layered');
    expect(options['elk.layered.thoroughness']).toBeUndefined();
  });

  it('lays out large graphs with one pass, straight edges and simple placement', () => {
    expect(layoutOptions(largeGraph + 1)).toMatchObject({
      'elk.direction': 'RIGHT',
      'elk.layered.thoroughness': '1',
      'elk.edgeRouting': 'POLYLINE',
      'elk.layered.nodePlacement.strategy': 'SIMPLE',
    });
  });
});
