// The U-turn checks of a merge in the common dialect (included by nutsSource.ts, after mn_v, MnSpan and the metric):
// Stan's three checks of two adjacent spans, stored p♯ or (diagonal metric) p♯ made from p, and the dispatch by metric.

export function uturnSource(): string {
  return `/* Stan's three checks when span B follows span A (stan PR #2800), in one pass over the spans' arrays with nothing
   written but the merged span's momentum sum A.rho + B.rho into 'sum' (which may be A.rho or B.rho): on the GPU these
   arrays are local memory, and writing each check's sum into a scratch array before its dot products made the merges
   the kernel's largest stall (bench/results/2026-11-30h-gpu-h200.md). Each sum is rounded to mn_v and each product
   taken as the separate checks took them, so the result and the draws are unchanged bit for bit. */
DEVICE bool mn_merge_continues(const MnSpan& A, const MnSpan& B, mn_v* sum) {
  const mn_v* aRho = A.rho; const mn_v* bRho = B.rho; /* one of them may be sum */
  const mn_v* MN_RESTRICT aEnd = A.pEnd; const mn_v* MN_RESTRICT aSB = A.psBeg; const mn_v* MN_RESTRICT aSE = A.psEnd;
  const mn_v* MN_RESTRICT bBeg = B.pBeg; const mn_v* MN_RESTRICT bSB = B.psBeg; const mn_v* MN_RESTRICT bSE = B.psEnd;
  double a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0;
  for (int i = 0; i < MN_DIM; ++i) {
    const mn_v r1 = aRho[i] + bRho[i], r2 = aRho[i] + bBeg[i], r3 = aEnd[i] + bRho[i];
    a1 += bSE[i] * r1; b1 += aSB[i] * r1;
    a2 += bSB[i] * r2; b2 += aSB[i] * r2;
    a3 += bSE[i] * r3; b3 += aSE[i] * r3;
    sum[i] = r1;
  }
  return a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0;
}
/* The same checks under a diagonal metric, with each p♯ = M⁻¹p made from its p as the leaf made it (the product rounded
   to mn_v) rather than read from a stored array: the spans' p♯ arrays are neither written nor read (two of a node's
   seven arrays, and a fourth of a merge's reads, of local memory). */
DEVICE bool mn_merge_continues_diag(const MnSpan& A, const MnSpan& B, mn_v* sum, const double* MN_RESTRICT im) {
  const mn_v* aRho = A.rho; const mn_v* bRho = B.rho; /* one of them may be sum */
  const mn_v* MN_RESTRICT aBeg = A.pBeg; const mn_v* MN_RESTRICT aEnd = A.pEnd;
  const mn_v* MN_RESTRICT bBeg = B.pBeg; const mn_v* MN_RESTRICT bEnd = B.pEnd;
  double a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0;
  for (int i = 0; i < MN_DIM; ++i) {
    const mn_v r1 = aRho[i] + bRho[i], r2 = aRho[i] + bBeg[i], r3 = aEnd[i] + bRho[i];
    const double mi = MN_LDG(im + i);
    const mn_v aSB = mi * aBeg[i], aSE = mi * aEnd[i], bSB = mi * bBeg[i], bSE = mi * bEnd[i];
    a1 += bSE * r1; b1 += aSB * r1;
    a2 += bSB * r2; b2 += aSB * r2;
    a3 += bSE * r3; b3 += aSE * r3;
    sum[i] = r1;
  }
  return a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0;
}
DEVICE bool mn_merge(const MnChainArgs* a, const MnSpan& A, const MnSpan& B, mn_v* sum) {
  return a->dense ? mn_merge_continues(A, B, sum) : mn_merge_continues_diag(A, B, sum, a->inv_metric);
}`;
}
