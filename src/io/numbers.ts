// Number text for Stan CSV: shortest round-trip digits, CmdStan's spellings of non-finite values, strict parsing.

/**
 * The shortest decimal text that parses back to exactly `x` (ECMAScript's Number → String, at most 17 significant
 * digits); negative zero keeps its sign, and non-finite values are spelled as C++ iostreams (and so CmdStan) write
 * them: `nan`, `inf`, `-inf`.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0 && Object.is(x, -0)) return '-0';
  return String(x);
}

/** Seconds in plain decimal notation (parsers' timing regexes do not accept exponents). */
export function formatSeconds(x: number): string {
  if (!Number.isFinite(x) || x < 0) return '0';
  const s = String(x);
  return s.includes('e') ? x.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : s;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(nan|inf|infinity)$/i;

/** Parses one number as written by CmdStan, by this library, or by Python/NumPy; null when the text is not a number. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  const m = NON_FINITE.exec(t);
  if (m === null) return null;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}
