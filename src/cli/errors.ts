// How the command line prints an error: the message, and where it came from when a user's model file is involved.
import { fileURLToPath } from 'node:url';

/** Stack frames that point into `file` (the user's model), as "file:line:column" strings, innermost first. */
export function framesIn(stack: string, file: string): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    let path = m[1]!;
    if (path.startsWith('file://')) {
      try {
        path = fileURLToPath(path);
      } catch {
        continue;
      }
    }
    if (path === file) out.push(`${path}:${m[2]}:${m[3]}`);
  }
  return out;
}

/**
 * The text to print for an error. An error of this library ('[function] …') prints as its message, followed by
 * the lines of the user's model file it passed through; any other error (one the model itself threw) prints with
 * its whole stack, so the user sees the file and line.
 */
export function formatCliError(e: unknown, modelFile?: string): string {
  if (!(e instanceof Error)) return `error: ${String(e)}`;
  const ours = /^\[[^\]]+\]/.test(e.message);
  if (!ours) return `error in the model${modelFile ? ` (${modelFile})` : ''}: ${e.stack ?? e.message}`;
  const frames = modelFile && e.stack ? framesIn(e.stack, modelFile) : [];
  return frames.length > 0 ? `${e.message}\n  in the model at ${frames.join('\n  called from ')}` : e.message;
}
