// The errors mlx-nuts throws, by what the caller can do about them: each has a stable code and the function that threw.
//
// Messages keep the house form '[function] what was wrong, where, and what was received'; `fn` is that function.
// nuts-rs separates recoverable from fatal errors the same way (its SamplerError vs a divergence, which is data).

export type ErrorCode = 'ERR_OPTION' | 'ERR_MODEL' | 'ERR_FILE' | 'ERR_ENGINE' | 'ERR_NUMERICAL';

/** Every error of this library. `code` says which kind it is, `fn` which function raised it. */
export abstract class MlxNutsError extends Error {
  /** The code of the subclass's errors. */
  static readonly CODE: ErrorCode;
  readonly code: ErrorCode;
  readonly fn: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = (new.target as unknown as { readonly CODE: ErrorCode }).CODE;
    this.fn = /^\[([^\]]+)\]/.exec(message)?.[1] ?? '';
    this.name = new.target.name;
  }
}

/** A bad option or argument of a call (a value, type, shape or combination): fix the call. */
export class OptionError extends MlxNutsError {
  static override readonly CODE = 'ERR_OPTION';
}

/** A model that cannot be built or data that do not fit it (shapes, supports, names, unsupported ops): fix the model. */
export class ModelError extends MlxNutsError {
  static override readonly CODE = 'ERR_MODEL';
}

/** A file or directory that cannot be written or read, or whose content is malformed: fix the path or the file. */
export class FileError extends MlxNutsError {
  static override readonly CODE = 'ERR_FILE';
}

/**
 * An engine that cannot run here: no compiler, a compile error, the native addon missing or failing, no GPU or too
 * little memory. Another backend may work (sample() falls back to MLX when `allowFallback` allows it).
 */
export class EngineError extends MlxNutsError {
  static override readonly CODE = 'ERR_ENGINE';
}

/**
 * The numbers themselves: no finite initial point, an improper posterior, a metric that is not positive definite.
 * Reparameterise the model, give inits, or check priors.
 */
export class NumericalError extends MlxNutsError {
  static override readonly CODE = 'ERR_NUMERICAL';
}
