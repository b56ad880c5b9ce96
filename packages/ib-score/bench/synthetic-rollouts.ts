import { Mulberry32 } from "@ibtpo/random";

/**
 * Synthetic rollouts in the `ib-score analyze` JSONL format: for each prompt, `group` responses of
 * 3-6 steps; at each step one of three candidate steps is drawn, so equal prefixes recur and
 * the prefix trees branch. A response is correct (reward 1) when its first step is candidate 0
 * and its last is not candidate 2, so the steps carry real information about the answer.
 */
export function* syntheticRolloutLines(prompts: number, group: number, seed: number): Generator<string> {
  const random = new Mulberry32(seed);
  for (let prompt = 0; prompt < prompts; prompt++) {
    const stepCount = 3 + Math.floor(random.next() * 4);
    const candidates = Array.from({ length: stepCount }, () =>
      Array.from({ length: 3 }, () =>
        Array.from({ length: 2 + Math.floor(random.next() * 6) }, () => Math.floor(random.next() * 60)),
      ),
    );
    for (let response = 0; response < group; response++) {
      const tokens: number[] = [];
      const logprobs: number[] = [];
      const entropies: number[] = [];
      const stepEnds: number[] = [];
      const choices: number[] = [];
      for (const options of candidates) {
        const choice = Math.floor(random.next() * 3);
        choices.push(choice);
        for (const token of options[choice] as number[]) {
          tokens.push(token);
          logprobs.push(Number(Math.log(0.2 + 0.6 * random.next()).toFixed(4)));
          entropies.push(Number((0.5 + 1.5 * random.next()).toFixed(4)));
        }
        stepEnds.push(tokens.length);
      }
      const reward = choices[0] === 0 && choices[choices.length - 1] !== 2 ? 1 : 0;
      yield JSON.stringify({ prompt_id: `p${prompt}`, tokens, logprobs, entropies, step_ends: stepEnds, reward });
    }
  }
}
