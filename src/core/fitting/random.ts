/** A source of uniform numbers in [0, 1); pass a seeded one so results repeat. */
export type Random = () => number;

/**
 * Chris Doty-Humphrey's sfc32 ("small fast counting", PractRand) over a 128-bit seed: a seeded,
 * repeatable uniform generator in [0, 1) with 2^-32 resolution. Twelve warm-up rounds mix
 * weak seeds.
 */
export function seededRandom(seed: readonly [number, number, number, number]): Random {
  let [a, b, c, d] = seed.map((x) => x >>> 0) as [number, number, number, number];
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** The first 16 bytes of a digest (e.g. SHA-256 of the runs) as an sfc32 seed. */
export function seedFromBytes(bytes: Uint8Array): [number, number, number, number] {
  const word = (i: number) =>
    (((bytes[4 * i] ?? 0) << 24) |
      ((bytes[4 * i + 1] ?? 0) << 16) |
      ((bytes[4 * i + 2] ?? 0) << 8) |
      (bytes[4 * i + 3] ?? 0)) >>>
    0;
  return [word(0), word(1), word(2), word(3)];
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
