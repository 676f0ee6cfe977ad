// Mathematical constants in float64, one home each (the generated C++ prints them from here: src/codegen/prelude.ts).

export const LOG_2PI = Math.log(2 * Math.PI);
/** ½·log(2π): the normal density's constant and Stirling's. */
export const HALF_LOG_2PI = 0.5 * LOG_2PI;
export const LOG_PI = Math.log(Math.PI);
