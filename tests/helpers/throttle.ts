import { randomInt } from 'node:crypto';

/**
 * A client address no other test uses. Address budgets live in the shared database, so each test that counts
 * them takes its own (10.0.0.0/8 is never a real caller here).
 */
export function uniqueAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/**
 * Rate limits count in fixed one-minute windows. A test that fills a budget must not straddle a window's end,
 * or the count restarts half way: when less than `needMs` is left of this window, wait for the next one.
 */
export async function awaitFreshWindow(needMs: number, windowMs = 60_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left >= needMs) return;
  await new Promise((resolve) => setTimeout(resolve, left + 50));
}
