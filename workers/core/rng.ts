// A fast, seeded, portable PRNG: xoshiro128** (Blackman & Vigna) seeded through splitmix32.
// Pure 32-bit integer arithmetic (Math.imul, >>>), so draws are bit-identical on every platform and thread.

/** A seeded source of random numbers. Every random draw in the core comes from one of these. */
export interface Rng {
  /** A uniform unsigned 32-bit integer. */
  nextU32(): number;
  /** A uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** A standard normal N(0, 1) draw (Box–Muller on 53-bit uniforms; pairs are cached). */
  normal(): number;
}

/** splitmix32's output function: a bijective 32-bit mixer (also server/sweep-spec.ts's seed mixer). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_PI = 2 * Math.PI;

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number, stream: number) {
    // Two splitmix32 sequences, one keyed by the seed and one by the stream, xored word by word:
    // different (seed, stream) pairs give unrelated 128-bit states.
    let a = seed >>> 0;
    let b = mix32((stream >>> 0) ^ 0x6a09e667);
    const words = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      a = (a + 0x9e3779b9) >>> 0;
      b = (b + 0xbb67ae85) >>> 0;
      words[i] = (mix32(a) ^ mix32(b ^ 0x3c6ef372)) | 0;
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1; // the all-zero state is a fixed point
    this.s0 = words[0];
    this.s1 = words[1];
    this.s2 = words[2];
    this.s3 = words[3];
  }

  nextU32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  next(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** A uniform in (0, 1] with 53 bits of resolution. */
  private open53(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 1) / TWO_POW_53;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.open53()));
    const theta = TWO_PI * this.open53();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }
}

/**
 * A generator for `(seed, stream)`. Streams are independent sequences from one seed:
 * 0 = data, 1 = weights, 2 = the LSUV batch, 3 = biases; others are free.
 */
export function createRng(seed: number, stream: number): Rng {
  return new Xoshiro128(seed, stream);
}
