// Per-chain progress: terminal bars (cli-progress) or a callback; silent when progress is false.
import cliProgress from 'cli-progress';
import type { TransitionInfo } from './kernel.ts';

export interface ProgressEvent {
  readonly chain: number;
  readonly phase: 'warmup' | 'sampling';
  /** Iteration within the phase (1-based) and the phase's length. */
  readonly iteration: number;
  readonly total: number;
  readonly divergences: number;
  readonly stepSize: number;
  readonly leapfrogPerDraw: number;
}

export type ProgressCallback = (e: ProgressEvent) => void;

export class ProgressReporter {
  private readonly divergences: number[];
  private readonly leapfrogs: number[];
  private readonly bars: cliProgress.MultiBar | null = null;
  private readonly chainBars: cliProgress.SingleBar[] = [];
  private count = 0;
  private lastDraw = 0;

  constructor(private readonly mode: boolean | ProgressCallback, chains: number, private readonly warmup: number,
    private readonly draws: number) {
    this.divergences = new Array<number>(chains).fill(0);
    this.leapfrogs = new Array<number>(chains).fill(0);
    if (mode === true) {
      this.bars = new cliProgress.MultiBar({
        format: 'chain {chain} |{bar}| {value}/{total} {phase} · div {div} · ε {eps} · leapfrog/draw {lf}',
        hideCursor: true, clearOnComplete: false, stream: process.stderr, fps: 5,
      }, cliProgress.Presets.shades_classic);
      for (let c = 0; c < chains; c++) {
        this.chainBars.push(this.bars.create(warmup + draws, 0, { chain: c, phase: 'warmup', div: 0, eps: '-', lf: '-' }));
      }
    }
  }

  update(phase: 'warmup' | 'sampling', iteration: number, info: readonly TransitionInfo[], stepSizes: readonly number[]): void {
    if (this.mode === false) return;
    this.count++;
    info.forEach((t, c) => {
      if (t.divergent) this.divergences[c]!++;
      this.leapfrogs[c]! += t.nLeapfrog;
    });
    const now = performance.now();
    const last = phase === 'sampling' ? iteration === this.draws : false;
    if (typeof this.mode === 'function') {
      info.forEach((t, c) => (this.mode as ProgressCallback)({
        chain: c, phase, iteration, total: phase === 'warmup' ? this.warmup : this.draws,
        divergences: this.divergences[c]!, stepSize: stepSizes[c]!, leapfrogPerDraw: this.leapfrogs[c]! / this.count,
      }));
      return;
    }
    if (now - this.lastDraw < 100 && !last) return;
    this.lastDraw = now;
    this.chainBars.forEach((b, c) => b.update(phase === 'warmup' ? iteration : this.warmup + iteration, {
      chain: c, phase, div: this.divergences[c], eps: stepSizes[c]!.toPrecision(3),
      lf: (this.leapfrogs[c]! / this.count).toFixed(1),
    }));
  }

  stop(): void {
    this.bars?.stop();
  }
}
