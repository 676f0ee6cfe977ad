// Sampler state as exact JSON: typed arrays as base64 of their bytes, non-finite numbers and -0 tagged, class instances as
// their own fields; `hydrate` writes a decoded state back into a freshly built one of the same shape (classes kept).
import { FileError } from '../base/errors.ts';

/** Typed-array constructors a state may hold, by the tag written in the JSON. */
const TYPED = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;
type TypedTag = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedTag]>;

function tagOf(a: ArrayBufferView): TypedTag | null {
  for (const [tag, C] of Object.entries(TYPED) as [TypedTag, (typeof TYPED)[TypedTag]][]) if (a instanceof C) return tag;
  return null;
}

/**
 * A JSON-safe copy of `v`, exact to the bit: a typed array becomes `{ $t: tag, b64 }`, a number JSON cannot hold
 * (NaN, ±Infinity, -0) becomes `{ $n: 'NaN' | 'Infinity' | '-Infinity' | '-0' }`, an object (a class instance
 * included) its own enumerable fields; functions and undefined are dropped. `path` names the field in errors.
 */
export function encodeState(v: unknown, path = 'state'): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $n: 'NaN' };
    if (v === Infinity) return { $n: 'Infinity' };
    if (v === -Infinity) return { $n: '-Infinity' };
    if (v === 0 && Object.is(v, -0)) return { $n: '-0' };
    return v;
  }
  if (ArrayBuffer.isView(v)) {
    const tag = tagOf(v);
    if (tag === null) throw new FileError(`[checkpoint] ${path}: a ${v.constructor.name} cannot be saved`);
    return { $t: tag, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map((x, i) => encodeState(x, `${path}[${i}]`));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function') continue;
      out[k] = encodeState(x, `${path}.${k}`);
    }
    return out;
  }
  if (v === undefined) return null;
  throw new FileError(`[checkpoint] ${path}: a ${typeof v} cannot be saved`);
}

const NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** The inverse of encodeState: typed arrays and tagged numbers restored, objects plain. */
export function decodeState(v: unknown, path = 'state'): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x, i) => decodeState(x, `${path}[${i}]`));
  const o = v as Record<string, unknown>;
  if (typeof o.$n === 'string' && Object.keys(o).length === 1) {
    if (!(o.$n in NUMBERS)) throw new FileError(`[checkpoint] ${path}: unknown number '${o.$n}'`);
    return NUMBERS[o.$n];
  }
  if (typeof o.$t === 'string' && typeof o.b64 === 'string') {
    const C = TYPED[o.$t as TypedTag];
    if (C === undefined) throw new FileError(`[checkpoint] ${path}: unknown array type '${o.$t}'`);
    const bytes = Buffer.from(o.b64, 'base64');
    if (bytes.byteLength % C.BYTES_PER_ELEMENT !== 0) throw new FileError(`[checkpoint] ${path}: ${bytes.byteLength} bytes is not a whole ${o.$t} array`);
    const out = new C(bytes.byteLength / C.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decodeState(x, `${path}.${k}`);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/**
 * Writes the decoded state `saved` into `template`, a state built afresh for the same run (the same structure and
 * classes): objects are updated in place field by field (so class instances keep their methods and private
 * scratch), typed arrays are copied into the template's when the lengths agree and replaced otherwise, arrays are
 * rebuilt element by element against the template's elements, and every other value is taken from `saved`.
 * Returns the hydrated value (the template itself for objects). Generic on purpose: a warmup state with new fields
 * or estimator classes round-trips without this code knowing them.
 */
export function hydrate<T>(template: T, saved: unknown, path = 'state'): T {
  if (ArrayBuffer.isView(saved)) {
    const s = saved as Typed;
    const t = template as unknown as Typed;
    if (ArrayBuffer.isView(t) && t.constructor === s.constructor && t.length === s.length) {
      t.set(s as never);
      return template;
    }
    return s as T;
  }
  if (Array.isArray(saved)) {
    const t = Array.isArray(template) ? (template as unknown[]) : [];
    // elements shared by identity in the template (one metric object for every chain) stay shared
    const seen = new Map<unknown, unknown>();
    return saved.map((x, i) => {
      const ti = t[i];
      if (ti !== null && typeof ti === 'object' && seen.has(ti)) return seen.get(ti);
      const h = hydrate(ti, x, `${path}[${i}]`);
      if (ti !== null && typeof ti === 'object') seen.set(ti, h);
      return h;
    }) as T;
  }
  if (isPlainObject(saved)) {
    if (!isPlainObject(template)) return saved as T;
    const t = template as Record<string, unknown>;
    for (const [k, x] of Object.entries(saved)) t[k] = hydrate(t[k], x, `${path}.${k}`);
    return template;
  }
  return saved as T;
}
