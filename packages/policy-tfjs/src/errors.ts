const marker = Symbol.for("@ibtpo/policy-tfjs/PolicyTfjsError");

/**
 * Invalid input, configuration or checkpoint: the message names what is wrong and where
 * (`location` is a config key, a request index, a weight name or a file path).
 *
 * @example
 * try { tokenizer.encode("?"); } catch (error) { if (PolicyTfjsError.isInstance(error)) console.error(error.location); }
 */
export class PolicyTfjsError extends Error {
  readonly [marker] = true;
  readonly location: string | undefined;

  constructor(message: string, location?: string) {
    super(location === undefined ? message : `${location}: ${message}`);
    this.name = "PolicyTfjsError";
    this.location = location;
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is PolicyTfjsError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
