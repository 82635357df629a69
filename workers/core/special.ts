// Special functions for the core: erf, erfc and the standard normal pdf/cdf, accurate to ~1e-15 relative.
// erf uses the everywhere-positive series erf(x) = 2/√π · e^{-x²} · Σ (2x²)^n x / (1·3·…·(2n+1)) for |x| < 2
// (no cancellation), and the Laplace continued fraction for erfc (modified Lentz) in the tails.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const ONE_OVER_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SQRT1_2 = Math.SQRT1_2;
const SERIES_LIMIT = 2;     // erf: series below, continued fraction above (≤ 57 terms)
const ERFC_CF_LIMIT = 1.5;  // erfc: 1 - series below (erfc ≥ 0.03, so ≤ 3e-15 relative), fraction above (≤ 91 terms)

/** erf(x) for |x| < SERIES_LIMIT by the positive series. */
function erfSeries(x: number): number {
  const x2 = x * x;
  const twoX2 = 2 * x2;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= twoX2 / (2 * n + 3);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 1.5: e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcContinuedFraction(x: number): number {
  if (x > 27) return 0; // e^{-729} underflows
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < SERIES_LIMIT) return erfSeries(x);
  const r = 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 - erf(x), accurate in the upper tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= ERFC_CF_LIMIT) return erfcContinuedFraction(x);
  if (x <= -ERFC_CF_LIMIT) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** The standard normal density φ(x). */
export function normalPdf(x: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** The standard normal CDF Φ(x) = erfc(-x/√2)/2, accurate in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}
