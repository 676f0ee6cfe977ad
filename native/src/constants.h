// Numbers the native addon shares with the TypeScript side, one C++ home each; test/constants.agree.test.ts checks
// every one against its TypeScript home (named beside it), so the two cannot drift apart.
#pragma once

namespace mlxnuts {

// Lanczos coefficients, g = 7, n = 9 (P. Godfrey, as tabulated in Numerical Recipes 3rd ed. §6.1): LANCZOS in
// src/math/special.ts.
constexpr double kLanczos[9] = {0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
                                771.32342877765313,   -176.61502916214059,   12.507343278686905,
                                -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
constexpr double kLanczosG = 7.0;

// Stirling's series for δ(x) = lgamma(x) − ((x − ½)log x − x + ½ log 2π) (Abramowitz & Stegun 6.1.40): STIRLING in
// src/math/special.ts.
constexpr double kStirling[7] = {1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156};
// ψ's asymptotic tail, 1/(12x²) − 1/(120x⁴) + 1/(252x⁶) − 1/(240x⁸) + 5/(660x¹⁰) (A&S 6.3.18): DIGAMMA_TAIL in
// src/math/special.ts.
constexpr double kDigammaTail[5] = {1.0 / 12, 1.0 / 120, 1.0 / 252, 1.0 / 240, 5.0 / 660};
// Where log B switches to its asymptotic forms: ASYMPTOTIC_FROM in src/math/special.ts.
constexpr double kAsymptoticFrom = 10;

// float32 sums of more than this many terms are summed in blocks of it: FLOAT32_SUM_BLOCK in src/precision/policy.ts.
constexpr int kFloat32SumBlock = 256;

}  // namespace mlxnuts
