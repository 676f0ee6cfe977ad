// Option and init checks meant for sample(): messages say what was received and name the parameter and shape.
import { describe, expect, test } from 'vitest';
import { describeValue, HalfNormal, model, Normal, unconstrainPoint } from 'mlx-nuts';
import { choiceOption, integerOption, numberOption } from '../src/fit/optionChecks.ts';

describe('option checks', () => {
  test('say what they received', () => {
    expect(() => integerOption('sample', 'seed', '42')).toThrow(/^\[sample\] seed must be an integer, got the string "42"$/);
    expect(() => integerOption('sample', 'seed', 4.5)).toThrow(/got 4\.5$/);
    expect(() => integerOption('sample', 'chains', 0, 1)).toThrow(/^\[sample\] chains must be an integer ≥ 1, got 0$/);
    expect(() => numberOption('sample', 'targetAccept', NaN, 0.1, 1)).toThrow(/^\[sample\] targetAccept must be a finite number, got NaN$/);
    expect(() => numberOption('sample', 'targetAccept', '0.9', 0.1, 1)).toThrow(/got the string "0\.9"$/);
    expect(() => numberOption('sample', 'targetAccept', 1.2, 0.1, 1)).toThrow(/must be in \[0\.1, 1\), got 1\.2$/);
    expect(() => choiceOption('sample', 'metric', 'full', ['diag', 'dense'] as const)).toThrow(/^\[sample\] metric must be 'diag' or 'dense', got the string "full"$/);
    expect(integerOption('sample', 'seed', 42)).toBe(42);
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue([1, 2])).toBe('an array of length 2');
  });
});

describe('init values checked against the declared shapes and supports (unconstrainPoint, partial)', () => {
  const m = model('init', (b) => {
    b.param('s', HalfNormal(1));
    b.param('A', Normal(0, 1), { shape: [2, 3] });
  }).trace();

  test('a [3, 2] init for a [2, 3] parameter is an error naming both shapes', () => {
    expect(() => unconstrainPoint(m, { A: [[1, 2], [3, 4], [5, 6]] }, 'sample', { partial: true }))
      .toThrow(/^\[sample\] A has shape \[3, ?2\], but the parameter is declared with shape \[2, ?3\]$/);
    expect(() => unconstrainPoint(m, { A: [1, 2, 3, 4, 5, 6] }, 'sample', { partial: true })).toThrow(/A has shape \[6\]/);
  });

  test('a value outside the support names the parameter; absent parameters are NaN to be drawn', () => {
    expect(() => unconstrainPoint(m, { s: -1 }, 'sample', { partial: true })).toThrow(/^\[sample\] s is outside its support \(positive, transform log\): init value -1 at position 0/);
    const { q, given } = unconstrainPoint(m, { s: 2, A: [[1, 2, 3], [4, 5, 6]] }, 'sample', { partial: true });
    expect([...given]).toEqual(['s', 'A']);
    expect(Array.from(q)).toEqual([Math.log(2), 1, 2, 3, 4, 5, 6]);
    expect(Number.isNaN(unconstrainPoint(m, { s: 2 }, 'sample', { partial: true }).q[1])).toBe(true);
    expect(() => unconstrainPoint(m, { t: 1 }, 'sample', { partial: true })).toThrow(/^\[sample\] 't' is not a parameter of 'init' \(parameters: s, A\)/);
  });
});
