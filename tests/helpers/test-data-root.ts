import { chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where tests put embedded PostgreSQL data folders. Under the system temp folder, not the checkout: PostgreSQL
 * runs as the `postgres` user, which must be able to enter every parent folder, and a checkout may live under a
 * private home folder (/root is 0700) where it cannot.
 */
export const TEST_DATA_ROOT = join(tmpdir(), 'gpu-compliance-test-data');

export async function ensureTestDataRoot(): Promise<string> {
  await mkdir(TEST_DATA_ROOT, { recursive: true });
  await chmod(TEST_DATA_ROOT, 0o755);
  return TEST_DATA_ROOT;
}
