import { BenchHarnessError } from "../errors.js";
import { responseLines, type Verification } from "../task.js";

/** A verifier for custom data: compares a response with the reference answer. */
export type AnswerVerifier = (response: string, answer: string) => Verification | number;

/** Verifiers that can be chosen by name in a config. */
export type AnswerVerifierName = "exact-match" | "numeric" | "last-line";

const NUMBER_PATTERN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

function lastLine(response: string): string | null {
  const lines = responseLines(response);
  return lines.length > 0 ? (lines[lines.length - 1] as string).trim() : null;
}

/**
 * The built-in answer verifiers:
 * - `exact-match`: the whole response, trimmed, equals the answer, trimmed;
 * - `numeric`: the last number in the response equals the numeric answer (relative tolerance 1e-6);
 * - `last-line`: the last non-empty line, trimmed, equals the answer, trimmed.
 *
 * @example
 * ANSWER_VERIFIERS.numeric("2+2=4\nso 4.0", "4"); // { reward: 1, answer: "4.0", wellFormed: true }
 */
export const ANSWER_VERIFIERS: Readonly<Record<AnswerVerifierName, AnswerVerifier>> = {
  "exact-match": (response, answer) => {
    const given = response.trim();
    return { reward: given === answer.trim() ? 1 : 0, answer: given === "" ? null : given, wellFormed: given !== "" };
  },
  numeric: (response, answer) => {
    const expected = Number(answer.trim());
    if (!Number.isFinite(expected))
      throw new BenchHarnessError(`reference answer ${JSON.stringify(answer)} is not a number`, "numeric verifier");
    const found = response.match(NUMBER_PATTERN);
    const given = found === null ? null : (found[found.length - 1] as string);
    if (given === null) return { reward: 0, answer: null, wellFormed: false };
    const value = Number(given);
    const close = Math.abs(value - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
    return { reward: close ? 1 : 0, answer: given, wellFormed: true };
  },
  "last-line": (response, answer) => {
    const given = lastLine(response);
    return { reward: given === answer.trim() ? 1 : 0, answer: given, wellFormed: given !== null };
  },
};

/** Resolves a verifier given by name or as a function; an unknown name is an error listing the known ones. */
export function resolveAnswerVerifier(verifier: AnswerVerifierName | AnswerVerifier): AnswerVerifier {
  if (typeof verifier === "function") return verifier;
  const found = ANSWER_VERIFIERS[verifier];
  if (found === undefined) {
    throw new BenchHarnessError(
      `unknown verifier "${String(verifier)}"; choose one of ${Object.keys(ANSWER_VERIFIERS).join(", ")} or pass a function`,
      "verifier",
    );
  }
  return found;
}

/** Turns a verifier's result into a checked {@link Verification}. */
export function normalizedVerification(result: Verification | number, where: string): Verification {
  const verdict = typeof result === "number" ? { reward: result, answer: null, wellFormed: true } : result;
  if (!(verdict.reward >= 0 && verdict.reward <= 1)) {
    throw new BenchHarnessError(`verifier returned reward ${verdict.reward}, which is outside [0, 1]`, where);
  }
  return verdict;
}
