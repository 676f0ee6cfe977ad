// exp, log, log1p, expm1 and tanh in float64 for the C++ target, by the algorithms of fdlibm 5.3 (Sun Microsystems,
// e_exp.c, e_log.c, s_log1p.c, s_expm1.c, s_tanh.c; constants are fdlibm's). V8 implements Math.exp/log/log1p/expm1/
// tanh with the same algorithms (src/base/ieee754.cc), so generated float64 code and the TypeScript oracle round
// identically and walk the same path draw for draw; test/codegen.math.test.ts checks this bit for bit.

export function fdlibmSource(): string {
  return `
DEVICE mn_u32 mn_hi(double x) { mn_u64 b; memcpy(&b, &x, 8); return (mn_u32)(b >> 32); }
DEVICE mn_u32 mn_lo(double x) { mn_u64 b; memcpy(&b, &x, 8); return (mn_u32)b; }
DEVICE double mn_words(mn_u32 h, mn_u32 l) { mn_u64 b = ((mn_u64)h << 32) | l; double x; memcpy(&x, &b, 8); return x; }
#define MN_LN2_HI 6.93147180369123816490e-01
#define MN_LN2_LO 1.90821492927058770002e-10
#define MN_INVLN2 1.44269504088896338700e+00
#define MN_TWO54 1.80143985094819840000e+16
DEVICE double mn_fd_exp(double x) {
  const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
               P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;
  mn_u32 hx = mn_hi(x);
  int xsb = (int)((hx >> 31) & 1);
  hx &= 0x7fffffffu;
  double hi = 0, lo = 0;
  int k = 0;
  if (hx >= 0x40862E42u) {
    if (hx >= 0x7ff00000u) {
      if (((hx & 0xfffffu) | mn_lo(x)) != 0) return x + x;
      return xsb == 0 ? x : 0.0;
    }
    if (x > 7.09782712893383973096e+02) return MN_INF;
    if (x < -7.45133219101941108420e+02) return 0.0;
  }
  if (hx > 0x3fd62e42u) {
    if (hx < 0x3FF0A2B2u) {
      hi = x - (xsb ? -MN_LN2_HI : MN_LN2_HI);
      lo = xsb ? -MN_LN2_LO : MN_LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = (int)(MN_INVLN2 * x + (xsb ? -0.5 : 0.5));
      double t = k;
      hi = x - t * MN_LN2_HI;
      lo = t * MN_LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000u) {
    return 1.0 + x;
  } else {
    k = 0;
  }
  double t = x * x;
  double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * mn_words(0x7fe00000u, 0);
    return y * mn_words((mn_u32)(0x3ff + k) << 20, 0);
  }
  return y * mn_words((mn_u32)(0x3ff + k + 1000) << 20, 0) * 9.33263618503218878990e-302;
}
#define MN_LG1 6.666666666666735130e-01
#define MN_LG2 3.999999999940941908e-01
#define MN_LG3 2.857142874366239149e-01
#define MN_LG4 2.222219843214978396e-01
#define MN_LG5 1.818357216161805012e-01
#define MN_LG6 1.531383769920937332e-01
#define MN_LG7 1.479819860511658591e-01
DEVICE double mn_fd_log(double x) {
  int hx = (int)mn_hi(x);
  mn_u32 lx = mn_lo(x);
  int k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | (int)lx) == 0) return -MN_INF;
    if (hx < 0) return (x - x) / 0.0;
    k -= 54;
    x *= MN_TWO54;
    hx = (int)mn_hi(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  int i = (hx + 0x95f64) & 0x100000;
  x = mn_words((mn_u32)(hx | (i ^ 0x3ff00000)), mn_lo(x));
  k += i >> 20;
  double f = x - 1.0;
  double dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0) { if (k == 0) return 0.0; return dk * MN_LN2_HI + dk * MN_LN2_LO; }
    double R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    return dk * MN_LN2_HI - ((R - dk * MN_LN2_LO) - f);
  }
  double s = f / (2.0 + f);
  double z = s * s;
  int ii = hx - 0x6147a;
  double w = z * z;
  int j = 0x6b851 - hx;
  double t1 = w * (MN_LG2 + w * (MN_LG4 + w * MN_LG6));
  double t2 = z * (MN_LG1 + w * (MN_LG3 + w * (MN_LG5 + w * MN_LG7)));
  ii |= j;
  double R = t2 + t1;
  if (ii > 0) {
    double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * MN_LN2_HI - ((hfsq - (s * (hfsq + R) + dk * MN_LN2_LO)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * MN_LN2_HI - ((s * (f - R) - dk * MN_LN2_LO) - f);
}
DEVICE double mn_fd_log1p(double x) {
  int hx = (int)mn_hi(x);
  int ax = hx & 0x7fffffff;
  int k = 1, hu = 0;
  double f = 0, c = 0, u;
  if (hx < 0x3FDA827A) {
    if (ax >= 0x3ff00000) {
      if (x == -1.0) return -MN_INF;
      return (x - x) / (x - x);
    }
    if (ax < 0x3e200000) {
      if (ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (int)0xbfd2bec3) { k = 0; f = x; hu = 1; }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k != 0) {
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = (int)mn_hi(u);
      k = (hu >> 20) - 1023;
      c = (k > 0) ? 1.0 - (u - x) : x - (u - 1.0);
      c /= u;
    } else {
      u = x;
      hu = (int)mn_hi(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = mn_words((mn_u32)(hu | 0x3ff00000), mn_lo(u));
    } else {
      k += 1;
      u = mn_words((mn_u32)(hu | 0x3fe00000), mn_lo(u));
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  double hfsq = 0.5 * f * f;
  double dk = k;
  if (hu == 0) {
    if (f == 0) { if (k == 0) return 0.0; c += dk * MN_LN2_LO; return dk * MN_LN2_HI + c; }
    double R = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - R;
    return dk * MN_LN2_HI - ((R - (dk * MN_LN2_LO + c)) - f);
  }
  double s = f / (2.0 + f);
  double z = s * s;
  double R = z * (MN_LG1 + z * (MN_LG2 + z * (MN_LG3 + z * (MN_LG4 + z * (MN_LG5 + z * (MN_LG6 + z * MN_LG7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  return dk * MN_LN2_HI - ((hfsq - (s * (hfsq + R) + (dk * MN_LN2_LO + c))) - f);
}
DEVICE double mn_fd_expm1(double x) {
  const double Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03, Q3 = -7.93650757867487942473e-05,
               Q4 = 4.00821782732936239552e-06, Q5 = -2.01099218183624371326e-07;
  mn_u32 hx = mn_hi(x);
  int xsb = (int)(hx & 0x80000000u);
  hx &= 0x7fffffffu;
  double hi, lo, c = 0, t, e, y;
  int k;
  if (hx >= 0x4043687Au) {
    if (hx >= 0x40862E42u) {
      if (hx >= 0x7ff00000u) {
        if (((hx & 0xfffffu) | mn_lo(x)) != 0) return x + x;
        return xsb == 0 ? x : -1.0;
      }
      if (x > 7.09782712893383973096e+02) return MN_INF;
    }
    if (xsb != 0) return -1.0;
  }
  if (hx > 0x3fd62e42u) {
    if (hx < 0x3FF0A2B2u) {
      if (xsb == 0) { hi = x - MN_LN2_HI; lo = MN_LN2_LO; k = 1; }
      else { hi = x + MN_LN2_HI; lo = -MN_LN2_LO; k = -1; }
    } else {
      k = (int)(MN_INVLN2 * x + ((xsb == 0) ? 0.5 : -0.5));
      t = k;
      hi = x - t * MN_LN2_HI;
      lo = t * MN_LN2_LO;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3c900000u) {
    return x;
  } else {
    k = 0;
  }
  double hfx = 0.5 * x;
  double hxs = x * hfx;
  double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  t = 3.0 - r1 * hfx;
  e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);
  double twopk = mn_words((mn_u32)(0x3ff + k) << 20, 0);
  e = (x * (e - c) - c);
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1.0 + 2.0 * (x - e);
  }
  if (k <= -2 || k > 56) {
    y = 1.0 - (e - x);
    if (k == 1024) y = y * 2.0 * mn_words(0x7fe00000u, 0);
    else y = y * twopk;
    return y - 1.0;
  }
  if (k < 20) {
    t = mn_words((mn_u32)(0x3ff00000 - (0x200000 >> k)), 0);
    y = t - (e - x);
    y = y * twopk;
  } else {
    t = mn_words((mn_u32)((0x3ff - k) << 20), 0);
    y = x - (e + t);
    y += 1.0;
    y = y * twopk;
  }
  return y;
}
DEVICE double mn_fd_tanh(double x) {
  mn_u32 jx = mn_hi(x);
  mn_u32 ix = jx & 0x7fffffffu;
  if (ix >= 0x7ff00000u) {
    if (jx >> 31) return 1.0 / x - 1.0;
    return 1.0 / x + 1.0;
  }
  double z;
  if (ix < 0x40360000u) {
    if (ix < 0x3e300000u) return x * (1.0 + x);
    if (ix >= 0x3ff00000u) {
      double t = mn_fd_expm1(2.0 * mn_fabs(x));
      z = 1.0 - 2.0 / (t + 2.0);
    } else {
      double t = mn_fd_expm1(-2.0 * mn_fabs(x));
      z = -t / (t + 2.0);
    }
  } else {
    z = 1.0;
  }
  return (jx >> 31) ? -z : z;
}
DEVICE double mn_exp(double x) { return mn_fd_exp(x); }
DEVICE double mn_log(double x) { return mn_fd_log(x); }
DEVICE double mn_log1p(double x) { return mn_fd_log1p(x); }
DEVICE double mn_expm1(double x) { return mn_fd_expm1(x); }
DEVICE double mn_tanh(double x) { return mn_fd_tanh(x); }
`;
}
