// Numbers held in both C++ and TypeScript agree: native/src/constants.h against their TypeScript homes, and the
// generated C++ prelude prints the TypeScript values themselves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MAX_DELTA_H } from '../src/base/defaults.ts';
import { lit, prelude } from '../src/codegen/prelude.ts';
import { nutsSource } from '../src/codegen/nutsSource.ts';
import { ASYMPTOTIC_FROM, DIGAMMA_TAIL, LANCZOS, STIRLING } from '../src/math/special.ts';
import { FLOAT32_SUM_BLOCK } from '../src/precision/policy.ts';

const header = readFileSync(join(import.meta.dirname, '..', 'native', 'src', 'constants.h'), 'utf8');

/** The value of a C++ numeric literal or a quotient of two ('1.0 / 12'). */
function cppNumber(text: string): number {
  const parts = text.split('/').map((t) => Number(t.trim()));
  expect(parts.every(Number.isFinite), `'${text}' is a number`).toBe(true);
  return parts.length === 2 ? parts[0]! / parts[1]! : parts[0]!;
}

/** The values of `constexpr <type> name[...] = {…};` or `constexpr <type> name = …;` in constants.h. */
function cppConstant(name: string): number[] {
  const m = new RegExp(`constexpr\\s+\\w+\\s+${name}(?:\\[\\d+\\])?\\s*=\\s*(\\{[^}]*\\}|[^;]+);`).exec(header);
  expect(m, `${name} in native/src/constants.h`).not.toBeNull();
  return m![1]!.replace(/[{}\s]/g, '').split(',').map(cppNumber);
}

describe('constants shared by C++ and TypeScript', () => {
  test('native/src/constants.h holds the TypeScript values', () => {
    expect(cppConstant('kLanczos')).toEqual([...LANCZOS]);
    expect(cppConstant('kStirling')).toEqual([...STIRLING]);
    expect(cppConstant('kAsymptoticFrom')).toEqual([ASYMPTOTIC_FROM]);
    expect(cppConstant('kDigammaTail')).toEqual([...DIGAMMA_TAIL]);
    expect(cppConstant('kFloat32SumBlock')).toEqual([FLOAT32_SUM_BLOCK]);
  });

  test('the parser reads what it should (a wrong value would be seen)', () => {
    expect(cppNumber('1.0 / 12')).toBe(1 / 12);
    expect(cppConstant('kLanczosG')).toEqual([7]);
    expect(cppConstant('kLanczos')).not.toEqual([...LANCZOS].reverse());
  });

  test('no other native source spells the shared constants again', () => {
    for (const f of ['special.cc', 'special_prims.cc', 'graph_emit.cc']) {
      const src = readFileSync(join(import.meta.dirname, '..', 'native', 'src', f), 'utf8');
      expect(src, f).not.toContain('676.5203681218851');
      expect(src, f).not.toContain('691.0 / 360360');
      expect(src, f).not.toContain('5.0 / 660');
      expect(src, f).not.toMatch(/\b256\b/);
    }
  });

  test('the generated C++ prints the TypeScript constants', () => {
    const code = prelude('cpp') + nutsSource();
    expect(code).toContain(String(LANCZOS[1]));
    expect(code).toContain(`> ${lit(MAX_DELTA_H)})`);
  });
});
