// The distribution functions the paired statistics need: Student t (CDF, quantile), the standard normal, and the
// noncentral t CDF for power. Plain numerics over the regularized incomplete beta and gamma; no Node imports.

const LN_SQRT_PI = 0.5723649429247001;   // ln √π
const MAX_ITERATIONS = 10_000;
const EPSILON = 1e-16;
const TINY = 1e-300;

// Lanczos approximation (g = 7, 9 terms): about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);   // reflection
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction for I_x(a, b) (modified Lentz; Numerical Recipes' betacf). Converges fast for x < (a+1)/(a+b+2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPSILON) return h;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b). `y` is 1 − x when the caller knows it more precisely than
 * `1 - x` would give (a small t² / (ν + t²), say).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(y));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(y, b, a)) / b;
}

/** The regularized upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction above). */
export function regularizedUpperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFront = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return 1 - sum * Math.exp(logFront);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPSILON) break;
  }
  return Math.exp(logFront) * h;
}

/** P(Z > z) for a standard normal Z, accurate in the far tail (erfc(z/√2)/2 = Q(1/2, z²/2)/2). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0) return 1 - normalSf(-z);
  return 0.5 * regularizedUpperGamma(0.5, (z * z) / 2);
}

export function normalCdf(z: number): number {
  return normalSf(-z);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const t2 = t * t;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));   // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

/** P(|T| ≥ |t|): the two-sided p-value of a t statistic. */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  return Math.min(1, regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2)));
}

/**
 * Solves cdf(x) = p for an increasing cdf by bisection (bracket grown by doubling). Upper quantiles are found as
 * minus the lower quantile of 1 − p by the caller, so `p` ≤ 0.5 here and the lower tail keeps full precision.
 */
function lowerQuantile(cdf: (x: number) => number, p: number): number {
  let lo = -1;
  while (cdf(lo) > p) lo *= 2;
  let hi = 0;
  for (let i = 0; i < 2000; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function quantile(cdf: (x: number) => number, p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return Number.NaN;
  }
  if (p === 0.5) return 0;
  return p < 0.5 ? lowerQuantile(cdf, p) : -lowerQuantile(cdf, 1 - p);   // both distributions are symmetric
}

/** The p-quantile of Student's t with `df` degrees of freedom (scipy's `t.ppf(p, df)`). */
export function studentTQuantile(p: number, df: number): number {
  return quantile((x) => studentTCdf(x, df), p);
}

/** The p-quantile of the standard normal (scipy's `norm.ppf(p)`). */
export function normalQuantile(p: number): number {
  return quantile(normalCdf, p);
}

/**
 * P(T ≤ t) for the noncentral t with `df` degrees of freedom and noncentrality `delta`: Lenth's algorithm AS 243
 * (Applied Statistics 38, 1989), a Poisson-weighted series of incomplete beta functions summed until the bound on
 * what is left is below 1e-13. The Poisson weights are carried as logarithms, so a large noncentrality (where
 * e^(−δ²/2) underflows) still sums correctly; the loop runs to about δ²/2 terms.
 */
export function noncentralTCdf(t: number, df: number, delta: number): number {
  const negative = t < 0;
  const tt = negative ? -t : t;
  const del = negative ? -delta : delta;
  const x = (tt * tt) / (tt * tt + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    const logLambda = Math.log(lambda);
    let logP = Math.log(0.5) - 0.5 * lambda;                                      // ln of the even weight
    let logQ = Math.log(Math.sqrt(2 / Math.PI) * 0.5 * Math.abs(del)) - 0.5 * lambda;   // ln |odd weight|
    const qSign = del < 0 ? -1 : 1;
    let s = 0.5 - Math.exp(logP);
    let a = 0.5;
    const b = 0.5 * df;
    const y = df / (tt * tt + df);   // 1 − x
    const rxb = Math.pow(y, b);
    const logBeta = LN_SQRT_PI + lnGamma(b) - lnGamma(a + b);
    let xodd = regularizedIncompleteBeta(x, a, b, y);
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - logBeta);
    let xeven = 1 - rxb;
    let geven = b * x * rxb;
    tnc = Math.exp(logP) * xodd + qSign * Math.exp(logQ) * xeven;
    const maxTerms = MAX_ITERATIONS + Math.ceil(lambda);
    for (let en = 1; en <= maxTerms; en++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      logP += logLambda - Math.log(2 * en);
      logQ += logLambda - Math.log(2 * en + 1);
      const p = Math.exp(logP);
      s -= p;
      tnc += p * xodd + qSign * Math.exp(logQ) * xeven;
      if (2 * s * (xodd - godd) <= 1e-13) break;
    }
  }
  tnc += normalCdf(-del);
  return negative ? 1 - tnc : tnc;
}
