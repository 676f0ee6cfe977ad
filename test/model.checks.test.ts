// Model-building checks: reserved names, float32 range of data and constants, and the model's text listing.
import { describe as group, expect, test } from 'vitest';
import { describe, HalfCauchy, model, Normal, Uniform, logDensity } from 'mlx-nuts';
import { eightSchools } from '../models/eight_schools.ts';

group('reserved names', () => {
  test('a parameter or deterministic named like a sampler statistic is an error when the model is built', () => {
    const lp = model('lp', (m) => { m.param('lp__', Normal(0, 1)); });
    expect(() => lp.trace()).toThrow(/^\[param\] the name 'lp__' ends in '__', which is reserved for sampler statistics/);
    const det = model('det', (m) => { const x = m.param('x', Normal(0, 1)); m.deterministic('energy__', x.mul(2)); });
    expect(() => det.trace()).toThrow(/^\[deterministic\] the name 'energy__' ends in '__'/);
    const any = model('any', (m) => { m.param('my_stat__', Normal(0, 1)); });
    expect(() => any.trace()).toThrow(/'my_stat__' ends in '__'/);
    // a single trailing underscore is an ordinary name
    expect(model('ok', (m) => { m.param('x_', Normal(0, 1)); }).trace().params[0]!.name).toBe('x_');
  });
});

group('float32 range', () => {
  test('observed data beyond float32 is reported as such when built for float32, and accepted in float64', async () => {
    const m = model('big', (b) => { const mu = b.param('mu', Normal(0, 1)); b.observe(Normal(mu, 1), [1, 2, 1e39], 'y'); });
    expect(() => m.trace('float32')).toThrow(/^\[model\] 'big' is built for float32, but observed data 'y' holds 1e\+39 at position 2, beyond float32's largest finite number/);
    await expect(logDensity(m, { backend: 'mlx', dtype: 'float32' })).rejects.toThrow(/dtype: 'float64'/);
    expect(m.trace('float64').observed[0]!.data.data[2]).toBe(1e39);
  });

  test('a constant scale below float32\'s smallest normal number is reported, naming the term', () => {
    const m = model('tiny', (b) => { b.param('x', Normal(0, 1e-40)); });
    expect(() => m.trace('float32')).toThrow(/^\[model\] 'tiny' is built for float32, but a constant .*holds 1e-40, below float32's smallest normal number/);
    const big = model('huge', (b) => { const x = b.param('x', Normal(0, 1)); b.factor(x.mul(5e38)); });
    expect(() => big.trace('float32')).toThrow(/a constant in 'factor 0' holds 5e\+38, beyond float32's largest/);
    expect(() => big.trace('float64')).not.toThrow();
  });

  test('the deliberate −∞ and 0 constants of the distributions are not flagged', () => {
    const m = model('masks', (b) => { const s = b.param('s', HalfCauchy(1)); b.param('u', Uniform(0, s)); });
    expect(() => m.trace('float32')).not.toThrow();
  });
});

group('describe(model) and model.toString()', () => {
  test('list parameters with shapes, supports and transforms, then deterministics and data', () => {
    const text = describe(eightSchools);
    expect(text).toBe(String(eightSchools));
    const lines = text.split('\n');
    expect(lines[0]).toBe("model 'eight_schools': 3 parameters, 10 unconstrained dimensions");
    expect(lines[1]).toBe('parameters:');
    expect(lines[2]).toMatch(/^ {2}name +shape +prior +support +transform$/);
    expect(lines[3]).toMatch(/^ {2}mu +\[\] +Normal +real +identity$/);
    expect(lines[4]).toMatch(/^ {2}tau +\[\] +HalfCauchy +positive +log$/);
    expect(lines[5]).toMatch(/^ {2}theta_tilde +\[8\] +Normal +real +identity$/);
    expect(text).toMatch(/deterministics:\n {2}name +shape\n {2}theta +\[8\]/);
    expect(text).toMatch(/observed:\n {2}name +shape +distribution\n {2}y +\[8\] +Normal/);
  });

  test('shows a parameter-dependent bound and says why a broken model does not trace', () => {
    const m = model('bounded', (b) => { const s = b.param('s', HalfCauchy(1)); b.param('u', Uniform(0, s), { shape: [2] }); });
    expect(describe(m)).toMatch(/u +\[2\] +Uniform +\(0, expr\) +interval/);
    const broken = model('broken', () => { throw new Error('oops in model'); });
    expect(String(broken)).toBe("model 'broken' (it does not trace: oops in model)");
    expect(() => describe(42 as never)).toThrow(/^\[describe\] the argument must be a model/);
  });
});
