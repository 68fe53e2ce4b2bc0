/**
 * Eigenvalues and eigenvectors of a real nonsymmetric matrix, and the LU solve of a general square
 * system: the portable implementations only (portable/nonsymmetric-eigen.ts, portable/lu.ts); no
 * back-end overrides them (the matrices this project meets are a few hundred rows at most).
 */
export { nonsymmetricEigen, nonsymmetricEigenFlops, type NonsymmetricEigen, type NonsymmetricEigenOptions } from "./portable/nonsymmetric-eigen.js";
export { luFactor, luSolve, type LuFactors } from "./portable/lu.js";
