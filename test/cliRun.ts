// Test helper: the command line run from its sources in a child process, with its exit, output and time; `during`
// is called once (with the child) when stderr first contains `when` — to interrupt or kill it mid-run.
import { spawn, type ChildProcess } from 'node:child_process';

export interface CliRun { code: number | null; signal: string | null; out: string; err: string; ms: number }

export function runCli(args: string[], when?: string, during?: (child: ChildProcess) => void): Promise<CliRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let fired = false;
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
    if (when !== undefined && during && !fired && err.includes(when)) {
      fired = true;
      during(child);
    }
  });
  return new Promise((res) => child.on('close', (code, signal) => res({ code, signal, out, err, ms: performance.now() - t0 })));
}
