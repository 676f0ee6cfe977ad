// Where a graph node was created: the first stack frame outside the library, kept unformatted until asked for.
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The library's own folder (src/ when run from sources, dist/ when built): frames inside it are skipped. */
const LIB_DIR = dirname(dirname(fileURLToPath(import.meta.url))) + sep;
/** Frames captured per node: enough to climb out of nested distributions into the model function. */
const FRAMES = 32;
const FRAME_RE = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/;

/** `file:line:col` of the first frame of `stack` outside the library, relative to the working directory. */
export function siteOf(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    // a node made by the trace itself (the sum of the model's terms) has no line of the model behind it
    if (line.startsWith('at Model.trace ') || line.startsWith('at async Model.trace ')) return undefined;
    const m = FRAME_RE.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('node:')) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!isAbsolute(file) || file.startsWith(LIB_DIR)) continue;
    const rel = relative(process.cwd(), file);
    return `${rel.startsWith('..') ? file : rel}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/**
 * Gives `node` a non-enumerable `src` getter: the stack is captured now (cheap: V8 keeps the frames unformatted)
 * and formatted, source-mapped and parsed only when `src` is first read. Non-enumerable, so that serialising a
 * graph (JSON, the native addon, cache keys) does not see it.
 */
export function recordSite(node: object): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  const err: { stack?: string } = {};
  Error.captureStackTrace(err, recordSite);
  Error.stackTraceLimit = limit;
  let cached: string | undefined | null = null;
  Object.defineProperty(node, 'src', {
    enumerable: false,
    configurable: true,
    get() {
      if (cached === null) cached = siteOf(err.stack);
      return cached;
    },
  });
}
