/**
 * Nielsen's damping rule for Levenberg-Marquardt (H. B. Nielsen, "Damping parameter in Marquardt's
 * method", IMM-REP-1999-05): on an accepted step with gain ratio rho (actual over predicted
 * reduction) the damping scales by max(1/3, 1 - (2 rho - 1)^3), a smooth fall on good steps and a
 * rise on poor ones, and the growth factor nu resets to 2; on a rejected step (or a model that
 * cannot be trusted) mu grows by nu and nu doubles, so a run of rejections raises mu geometrically
 * faster. `floor` bounds mu below (variable projection's damping falls geometrically on a run of
 * good steps and must stay able to grow: 1e-30 there; 0 for joint LM).
 */
export class NielsenDamping {
  private nu = 2;

  constructor(
    public mu: number,
    private readonly floor = 0,
  ) {}

  accept(rho: number): void {
    this.mu = Math.max(this.mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3), this.floor);
    this.nu = 2;
  }

  reject(): void {
    this.mu *= this.nu;
    this.nu *= 2;
  }
}
