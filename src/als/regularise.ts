/**
 * Scale-free ridge (DESIGN.md, "The three methods"): add lambda * mean(diag(G)) to G's diagonal.
 * Decomposing a*W scales every normal matrix by a^2 (or leaves it unchanged), and the shift with
 * it, so the composition scales by exactly a. Returns the absolute shift that was added.
 */
export function addScaledRidge(n: number, G: Float64Array, lambda: number): number {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += G[i * n + i]!;
  const shift = lambda * (trace / n);
  if (shift !== 0) for (let i = 0; i < n; i++) G[i * n + i]! += shift;
  return shift;
}

export function meanDiagonal(n: number, G: Float64Array): number {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += G[i * n + i]!;
  return trace / n;
}
