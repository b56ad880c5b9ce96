const marker = Symbol.for("@ibtpo/ib-score/IbScoreInputError");

/**
 * Invalid input to a tree or a score: names what is wrong and where (`location` is a node id,
 * a response index, a JSON path or `file:line`, whichever the caller knows).
 */
export class IbScoreInputError extends Error {
  readonly [marker] = true;
  readonly location: string | undefined;
  /** What is wrong, without the location. */
  readonly detail: string;

  constructor(detail: string, location?: string) {
    super(location === undefined ? detail : `${location}: ${detail}`);
    this.name = "IbScoreInputError";
    this.location = location;
    this.detail = detail;
  }

  /** The same problem reported at a location the caller knows better (a file line, a JSON path). */
  relocated(location: string): IbScoreInputError {
    return new IbScoreInputError(this.detail, location);
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is IbScoreInputError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
