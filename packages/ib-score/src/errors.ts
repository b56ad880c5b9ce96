const marker = Symbol.for("@ibtpo/ib-score/IbScoreInputError");

/**
 * Invalid input to a tree or a score: names what is wrong and where (`location` is a node id,
 * a response index, a JSON path or `file:line`, whichever the caller knows).
 */
export class IbScoreInputError extends Error {
  readonly [marker] = true;
  readonly location: string | undefined;

  constructor(message: string, location?: string) {
    super(location === undefined ? message : `${location}: ${message}`);
    this.name = "IbScoreInputError";
    this.location = location;
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is IbScoreInputError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
