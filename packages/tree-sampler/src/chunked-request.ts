import { deriveSeedMurmur3 } from "@ibtpo/random";
import { TreeSamplerError } from "./errors.js";
import type { FinishReason, Generation, GenerationRequest } from "./policy.js";
import type { PlannedRequest } from "./prompt-sampling.js";
import { concatSpans } from "./token-span.js";

/**
 * One planned request while it is generated in chunks of at most `chunk` tokens per generate call.
 * The first chunk is the planned request itself (maxTokens lowered to the chunk); each later one
 * continues the prefix with everything generated so far: with the request's seed and a
 * `drawOffset` of the tokens generated so far when the policy resumes draws (so the chunks draw
 * what one call would have drawn), else seeded from the request's seed and the chunk index. With
 * an unlimited chunk the request is sent once, unchanged.
 */
export class ChunkedRequest {
  private readonly pieces: Generation[] = [];
  private generated = 0;
  private finishReason: FinishReason | null = null;

  constructor(
    readonly planned: PlannedRequest,
    private readonly chunk: number,
    private readonly resumesDraws = false,
  ) {}

  get done(): boolean {
    return this.finishReason !== null;
  }

  /** The request for this row's next chunk. */
  nextRequest(): GenerationRequest {
    const { prefix, settings } = this.planned.request;
    const maxTokens = Math.min(this.chunk, settings.maxTokens - this.generated);
    if (this.pieces.length === 0) {
      return maxTokens === settings.maxTokens ? this.planned.request : { prefix, settings: { ...settings, maxTokens } };
    }
    const extended = new Int32Array(prefix.length + this.generated);
    extended.set(Int32Array.from(prefix));
    let offset = prefix.length;
    for (const piece of this.pieces) {
      extended.set(piece.tokens, offset);
      offset += piece.tokens.length;
    }
    if (this.resumesDraws) {
      const drawOffset = (settings.drawOffset ?? 0) + this.generated;
      return { prefix: extended, settings: { ...settings, maxTokens, drawOffset } };
    }
    const seed = deriveSeedMurmur3(settings.seed ?? 0, this.pieces.length);
    return { prefix: extended, settings: { ...settings, maxTokens, seed } };
  }

  /**
   * Add the generation of the chunk last requested (checked by the caller against that request).
   * The row is done when it stopped on its own, reached its planned maxTokens, or the policy ended
   * it short of the chunk (a length limit of the policy's own).
   */
  add(piece: Generation, requestedTokens: number): void {
    this.pieces.push(piece);
    this.generated += piece.tokens.length;
    const cutByChunk = piece.finishReason === "length" && piece.tokens.length === requestedTokens;
    if (!cutByChunk || this.generated >= this.planned.request.settings.maxTokens)
      this.finishReason = piece.finishReason;
  }

  /** The whole generation, as if it had come from one call. */
  generation(): Generation {
    if (this.finishReason === null) throw new TreeSamplerError("the request is still generating", "chunked request");
    if (this.pieces.length === 1) return this.pieces[0] as Generation;
    return { ...concatSpans(this.pieces), finishReason: this.finishReason };
  }
}
