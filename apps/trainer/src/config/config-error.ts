const marker = Symbol.for("@ibtpo/trainer/ConfigError");

/** A configuration problem: names the key (and file:line when the key came from a file). */
export class ConfigError extends Error {
  readonly [marker] = true;

  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }

  static isInstance(error: unknown): error is ConfigError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
