// The op vocabulary has one source, the IR's lists (src/graph/ir.ts); every engine's table is checked against it here:
// the reference's forward and derivative rules, the generated code's rules, and the native addon's parser.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS } from '../src/graph/ir.ts';
import { BINARY_F, UNARY_F } from '../src/math/scalarOps.ts';
import { BINARY_D, UNARY_D } from '../src/backend/reference/backward.ts';
import { BINARY_DER, BINARY_FWD, GATHER, REDUCE, UNARY_DER, UNARY_FWD } from '../src/codegen/opRules.ts';

/** Ops with no derivative by definition. */
const NO_GRADIENT = new Set(['floor', 'stopGradient']);
const STRUCTURAL = ['where', 'cumsum', 'matmul', 'take', 'clamp', 'concat', 'stack', 'reshape', 'broadcastTo', 'transpose', 'slice'];
const keys = (o: object) => Object.keys(o).sort();
const sorted = (a: readonly string[]) => [...a].sort();

describe('one op vocabulary, checked in every engine', () => {
  test('reference interpreter: forward and derivative rules for exactly the IR ops', () => {
    expect(keys(UNARY_F)).toEqual(sorted(UNARY_OPS));
    expect(keys(BINARY_F)).toEqual(sorted([...BINARY_OPS, ...COMPARE_OPS]));
    expect(keys(UNARY_D)).toEqual(sorted(UNARY_OPS));
    expect(keys(BINARY_D)).toEqual(sorted(BINARY_OPS));
  });

  test('generated code: forward and derivative rules for exactly the IR ops', () => {
    expect(keys(UNARY_FWD)).toEqual(sorted(UNARY_OPS));
    expect(keys(UNARY_DER)).toEqual(sorted(UNARY_OPS.filter((o) => !NO_GRADIENT.has(o))));
    expect(keys(BINARY_FWD)).toEqual(sorted([...BINARY_OPS, ...COMPARE_OPS]));
    expect(keys(BINARY_DER)).toEqual(sorted(BINARY_OPS));
    expect(sorted([...REDUCE])).toEqual(sorted(REDUCE_OPS));
    expect([...GATHER].every((o) => STRUCTURAL.includes(o))).toBe(true);
  });

  test('native addon: the parser accepts every IR op by its name', () => {
    const src = readFileSync(new URL('../native/src/graph_parse.cc', import.meta.url), 'utf8');
    const missing = [...UNARY_OPS, ...BINARY_OPS, ...COMPARE_OPS, ...REDUCE_OPS, ...STRUCTURAL].filter((o) => !src.includes(`"${o}"`));
    expect(missing).toEqual([]);
  });
});
