// The check of a seed-list flag, shared by the experiment scripts so every one refuses the same
// input with the same message.

/**
 * Why a seed list given to `flag` is unusable (empty, or an entry that is not a whole number), or
 * null when it is fine.
 *
 * @param {string} flag the flag's name, e.g. "--seeds"
 * @param {string[]} seeds the list's entries
 * @returns {string | null}
 */
export function seedListProblem(flag, seeds) {
  const bad = seeds.find((seed) => !/^\d+$/.test(seed));
  if (seeds.length > 0 && bad === undefined) return null;
  return `${flag}: expected a comma-separated list of whole numbers, got "${bad ?? ""}"`;
}
