/** Where a training row's steps end: the token indices where its node changes, and its length. */
export function stepEndsOf(tokenNodes: Int32Array): number[] {
  const ends: number[] = [];
  for (let i = 1; i < tokenNodes.length; i++) if (tokenNodes[i] !== tokenNodes[i - 1]) ends.push(i);
  ends.push(tokenNodes.length);
  return ends;
}
