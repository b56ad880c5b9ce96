const marker = Symbol.for("@ibtpo/bench-harness/BenchHarnessError");

/**
 * Invalid input to a task, an evaluation, a comparison or a report: names what is wrong (`detail`)
 * and where (`location`: a function and argument, an option key, `file:line`, a run folder).
 *
 * @example
 * try {
 *   passAtK(4, 5, 1);
 * } catch (error) {
 *   if (BenchHarnessError.isInstance(error)) console.error(error.location, error.detail);
 * }
 */
export class BenchHarnessError extends Error {
  readonly [marker] = true;
  readonly location: string;
  /** What is wrong, without the location. */
  readonly detail: string;

  constructor(detail: string, location: string) {
    super(`${location}: ${detail}`);
    this.name = "BenchHarnessError";
    this.location = location;
    this.detail = detail;
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is BenchHarnessError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
