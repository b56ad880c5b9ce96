const marker = Symbol.for("@ibtpo/random/RandomError");

/** A seed or bound that no generator accepts: names the value and where it was given (`location`). */
export class RandomError extends Error {
  readonly [marker] = true;
  readonly location: string;
  /** What is wrong, without the location. */
  readonly detail: string;

  constructor(detail: string, location: string) {
    super(`${location}: ${detail}`);
    this.name = "RandomError";
    this.location = location;
    this.detail = detail;
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is RandomError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
