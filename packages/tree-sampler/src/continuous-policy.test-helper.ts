import type { FinishedRequest, Policy } from "./policy.js";

/** When a continuous batch took requests: how many, and how many were still generating then. */
export interface Addition {
  readonly requests: number;
  readonly inFlight: number;
}

/**
 * `inner` with continuous batching on top of its `generate`, for tests: each request is generated
 * alone and finishes after as many decode steps as it has tokens, counted from the step it joined,
 * so requests finish in the order a real continuous batch finishes them (ties in the order fed).
 */
export function continuousPolicy(inner: Policy): { policy: Policy; additions: Addition[] } {
  const additions: Addition[] = [];
  const policy: Policy = {
    ...inner,
    generate: (requests, options) => inner.generate(requests, options),
    async decodeContinuously(feed, options) {
      const inFlight: { request: number; end: number; finished: FinishedRequest }[] = [];
      let step = 0;
      let fed = 0;
      let finished: FinishedRequest[] = [];
      for (;;) {
        const requests = await feed(finished);
        if (requests.length > 0) additions.push({ requests: requests.length, inFlight: inFlight.length });
        for (const request of requests) {
          const [generation] = await inner.generate([request], options);
          const number = fed++;
          inFlight.push({
            request: number,
            end: step + generation!.tokens.length,
            finished: { request: number, generation: generation! },
          });
        }
        if (inFlight.length === 0) return;
        step = Math.min(...inFlight.map((row) => row.end));
        finished = inFlight.filter((row) => row.end === step).map((row) => row.finished);
        inFlight.splice(0, inFlight.length, ...inFlight.filter((row) => row.end !== step));
      }
    },
  };
  return { policy, additions };
}
