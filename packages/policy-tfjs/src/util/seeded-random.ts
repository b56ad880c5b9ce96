import { Mulberry32, scrambleSeed } from "@ibtpo/random";

/**
 * @deprecated Use `new Mulberry32(scrambleSeed(seed))` from `@ibtpo/random`: the same generator
 * under its own name (tree-sampler's `SeededRandom` is a different one, `Sfc32`).
 */
export class SeededRandom extends Mulberry32 {
  constructor(seed: number) {
    super(scrambleSeed(seed));
  }
}
