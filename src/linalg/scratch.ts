/**
 * Reused work buffers for the large temporaries of the hot path (compose's tap-major copies and
 * accumulator, the normal equations' Gram, lag sums and windows).
 *
 * Why: a fresh Float64Array is memory the process has never touched, and its first touch costs a
 * page fault per 4 KiB page. On this project's VMs that is the dominant cost of a big temporary:
 * allocating and first touching 52 MB took 210-280 ms, overwriting the same 52 MB 8-18 ms
 * (measured in README, "Performance", "Where the time goes"). A profile of a whole ResNet-18 dump
 * put about a third of the busy time in loops that mostly wrote fresh buffers.
 *
 * Contract: `scratch(slot, n)` returns n doubles of the slot's buffer, growing it when needed;
 * the contents are whatever the last user left (`zeroedScratch` clears them). A slot belongs to
 * one call site, which must be done with it before it is called again (every user here is a
 * synchronous function that does not re-enter itself), and must never let the array escape: a
 * result that outlives the call is allocated as usual. Each worker thread has its own slots.
 * `releaseScratch()` drops every buffer (the pipeline calls it when a decomposition ends, so a
 * process holds at most one decomposition's temporaries).
 */
const slots = new Map<string, Float64Array>();

export function scratch(slot: string, length: number): Float64Array {
  let buf = slots.get(slot);
  if (buf === undefined || buf.length < length) {
    buf = new Float64Array(length);
    slots.set(slot, buf);
  }
  return buf.subarray(0, length);
}

export function zeroedScratch(slot: string, length: number): Float64Array {
  const buf = scratch(slot, length);
  buf.fill(0);
  return buf;
}

export function releaseScratch(): void {
  slots.clear();
}
