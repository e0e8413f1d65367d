/** Golden-section ratio (√5 − 1)/2. */
const INVERSE_PHI = (Math.sqrt(5) - 1) / 2;

export interface Minimum {
  /** The minimiser x. */
  x: number;
  /** f(x). */
  value: number;
  iterations: number;
  converged: boolean;
}

/**
 * Minimises a unimodal function on [low, high] by golden-section search: robust (no
 * derivatives, tolerant of +Infinity at the ends), bounded by `maxIterations`, and converged
 * when the bracket is narrower than `tolerance`.
 */
export function minimizeGolden(
  f: (x: number) => number,
  low: number,
  high: number,
  { tolerance = 1e-10, maxIterations = 200 }: { tolerance?: number; maxIterations?: number } = {},
): Minimum {
  let a = low;
  let b = high;
  let c = b - INVERSE_PHI * (b - a);
  let d = a + INVERSE_PHI * (b - a);
  let fc = f(c);
  let fd = f(d);
  let iterations = 0;
  while (
    Math.abs(b - a) > tolerance * Math.max(1, Math.abs(a) + Math.abs(b)) &&
    iterations < maxIterations
  ) {
    iterations += 1;
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - INVERSE_PHI * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + INVERSE_PHI * (b - a);
      fd = f(d);
    }
  }
  const x = fc <= fd ? c : d;
  return {
    x,
    value: Math.min(fc, fd),
    iterations,
    converged: iterations < maxIterations,
  };
}
