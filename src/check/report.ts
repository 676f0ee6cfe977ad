// What check() returns: plain data (points, gradient tables, engine comparisons, findings) and its text form.
import type { Device, Dtype } from '../base/types.ts';
import type { GradientTest } from './finiteDiff.ts';
import { e2, findingLines, g6, row } from './format.ts';
import type { NodeFinding } from './nodeDiff.ts';

export interface PointResult {
  /** 'initial', 'random 1', … or 'given 0', … */
  readonly label: string;
  readonly q: Float64Array;
  /** The reference's gradient against finite differences (null when finiteDiff is off). */
  readonly gradient: GradientTest | null;
  /** Where a non-finite logp or gradient of the reference (float64) comes from; null when both are finite. */
  readonly nonFinite: NodeFinding | null;
  readonly ok: boolean;
}

export interface EngineComparison {
  /** `mlx float32 cpu` */
  readonly engine: string;
  readonly name: string;
  readonly dtype: Dtype;
  readonly device: Device;
  /** 'single': one logpGrad call per point; 'batch': every point in one logpGradBatch call. */
  readonly mode: 'single' | 'batch';
  /** Index into points (for 'batch', the point with the largest error). */
  readonly point: number;
  readonly logp: number;
  readonly referenceLogp: number;
  /** |logp − reference| / max(1, Σ |term|) over the model's terms. */
  readonly logpError: number;
  /** max_i |grad_i − reference_i| / max(1, ‖reference grad‖∞), and the coordinate i where it is reached. */
  readonly gradError: number;
  readonly gradIndex: number;
  readonly tolerance: number;
  readonly ok: boolean;
  /** The node-by-node cross-check (run when the comparison fails, or always if asked): null when every node agrees. */
  readonly divergence?: NodeFinding | null;
  readonly note?: string;
}

export interface CheckResultData {
  readonly model: string;
  readonly dim: number;
  /** Name of each unconstrained coordinate. */
  readonly names: readonly string[];
  readonly points: readonly PointResult[];
  readonly engines: readonly EngineComparison[];
  /** Engines not available on this machine, with the reason. */
  readonly skipped: readonly { readonly engine: string; readonly reason: string }[];
  /** Engines that failed to build or to evaluate the model. */
  readonly errors: readonly { readonly engine: string; readonly message: string }[];
  readonly ok: boolean;
  readonly seconds: number;
}

export class CheckResult implements CheckResultData {
  readonly model!: string;
  readonly dim!: number;
  readonly names!: readonly string[];
  readonly points!: readonly PointResult[];
  readonly engines!: readonly EngineComparison[];
  readonly skipped!: readonly { readonly engine: string; readonly reason: string }[];
  readonly errors!: readonly { readonly engine: string; readonly message: string }[];
  readonly ok!: boolean;
  readonly seconds!: number;

  constructor(data: CheckResultData) {
    Object.assign(this, data);
  }

  /** Comparisons that failed, and points whose gradient test failed or whose log density is not finite. */
  failures(): string[] {
    const out: string[] = [];
    for (const p of this.points) {
      if (p.nonFinite) out.push(`${p.label}: the log density or its gradient is not finite (node ${p.nonFinite.node}, ${p.nonFinite.op})`);
      const bad = p.gradient?.rows.filter((r) => !r.ok) ?? [];
      if (bad.length) out.push(`${p.label}: ${bad.length === 1 ? '1 gradient entry differs' : `${bad.length} gradient entries differ`} from finite differences (${bad.map((r) => r.name).join(', ')})`);
    }
    for (const c of this.engines) {
      if (c.ok) continue;
      const where = c.divergence ? `; first divergence at node ${c.divergence.node} (${c.divergence.op})` : '';
      out.push(`${c.engine} (${c.mode}) at ${this.points[c.point]?.label}: logp error ${e2(c.logpError)}, gradient error ${e2(c.gradError)} > ${e2(c.tolerance)}${where}`);
    }
    for (const e of this.errors) out.push(`${e.engine}: ${e.message}`);
    return out;
  }

  toString(): string {
    const out: string[] = [];
    out.push(`check ${this.model}: ${this.dim} unconstrained coordinate${this.dim === 1 ? '' : 's'}, ` +
      `${this.points.length} point${this.points.length === 1 ? '' : 's'} (${this.points.map((p) => p.label).join(', ')})`);
    const fd = this.points.find((p) => p.gradient)?.gradient;
    if (fd) {
      out.push('', `TEST GRADIENT MODE (reference, float64; central differences, epsilon=${g6(fd.epsilon)}, error threshold=${g6(fd.threshold)})`);
    }
    const nameW = -(Math.max(4, ...this.names.map((n) => n.length)) + 2);
    const W = [10, nameW, 14, 16, 16, 16, 6];
    for (const p of this.points) {
      if (p.gradient) {
        const noise = p.gradient.noise > 0.1 * p.gradient.threshold ? `    (finite-difference rounding ≈ ${e2(p.gradient.noise)})` : '';
        out.push('', ` Point: ${p.label}    Log probability=${g6(p.gradient.logp)}${noise}`, '');
        out.push(row(['param idx', 'name', 'value', 'model', 'finite diff', 'error', ''], W));
        for (const r of p.gradient.rows) {
          out.push(row([String(r.index), r.name, g6(r.value), g6(r.model), g6(r.finiteDiff), g6(r.error), r.ok ? '' : 'FAIL'], W));
        }
      }
      if (p.nonFinite) {
        out.push('', ` Point: ${p.label}: the log density or its gradient is not finite (reference, float64)`);
        out.push(...findingLines(p.nonFinite, undefined, '   '));
      }
    }
    out.push('', 'ENGINES AGAINST THE FLOAT64 REFERENCE (errors: logp over max(1, Σ|terms|), gradient over max(1, ‖grad‖∞))', '');
    const EW = [-(Math.max(8, ...this.engines.map((c) => c.engine.length)) + 2), 8, Math.max(7, ...this.points.map((p) => p.label.length)) + 2,
      13, 16, 12, 8];
    out.push(row(['engine', 'call', 'point', 'logp error', 'gradient error', 'tolerance', 'result'], EW));
    for (const c of this.engines) {
      const point = c.mode === 'batch' ? `all ${this.points.length}` : this.points[c.point]?.label ?? String(c.point);
      out.push(row([c.engine, c.mode, point, e2(c.logpError), e2(c.gradError), e2(c.tolerance), c.ok ? 'ok' : 'FAIL'], EW));
    }
    for (const s of this.skipped) out.push(` ${s.engine}: not available here (${s.reason})`);
    for (const e of this.errors) out.push(` ${e.engine}: ERROR ${e.message}`);
    for (const c of this.engines) {
      if (c.divergence === undefined && !c.note) continue;
      out.push('', ` ${c.engine} (${c.mode}) at ${this.points[c.point]?.label}:`);
      if (c.note) out.push(`   ${c.note}`);
      if (c.divergence) out.push(...findingLines(c.divergence, c.engine, '   '));
      if (!c.ok && this.points[c.point]?.gradient?.ok === false) {
        out.push("   the reference's own gradient fails the finite-difference test at this point: the reference may be the one at fault");
      }
      else if (c.divergence === null) out.push('   every node agrees with the reference within the tolerance');
    }
    const fails = this.failures();
    out.push('', `RESULT: ${this.ok ? 'ok' : `FAILED (${fails.length} problem${fails.length === 1 ? '' : 's'})`} in ${this.seconds.toFixed(2)} s`);
    for (const f of fails) out.push(`  - ${f}`);
    return out.join('\n');
  }
}
