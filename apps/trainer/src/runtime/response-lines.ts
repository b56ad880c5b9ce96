import type { Problem, ProblemEvaluation } from "@ibtpo/bench-harness";

/**
 * One JSON line per evaluated problem: the problem (id, prompt, reference answer, the task's data)
 * and every scored response, greedy first. Analyses read what was sampled from here instead of
 * repeating the evaluation's sampling setup.
 */
export function responseLines(problems: readonly Problem[], perProblem: readonly ProblemEvaluation[]): string {
  if (problems.length !== perProblem.length)
    throw new Error(`responseLines: ${problems.length} problems but ${perProblem.length} evaluations`);
  return problems
    .map((problem, index) => {
      const { greedy, samples } = perProblem[index] as ProblemEvaluation;
      const { id, prompt, answer, data } = problem;
      return `${JSON.stringify({ problem: { id, prompt, answer, data }, greedy, samples })}\n`;
    })
    .join("");
}
