const marker = Symbol.for("@ibtpo/tree-sampler/TreeSamplerError");

/**
 * Invalid input to a sampler, a segmenter or the reference policy, or a `Policy` that broke its
 * contract. The message names what is wrong and where (`location`: an option key, a prompt index,
 * a request index).
 *
 * @example
 * try {
 *   await sampleBatch(prompts, policy, options);
 * } catch (error) {
 *   if (TreeSamplerError.isInstance(error)) console.error(error.location, error.message);
 * }
 */
export class TreeSamplerError extends Error {
  readonly [marker] = true;
  readonly location: string | undefined;

  constructor(message: string, location?: string) {
    super(location === undefined ? message : `${location}: ${message}`);
    this.name = "TreeSamplerError";
    this.location = location;
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is TreeSamplerError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
