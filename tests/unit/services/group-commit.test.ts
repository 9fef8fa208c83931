import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/services/group-commit.ts';

/** A commit function that records each group and can be told to fail, and lets a test hold a commit open. */
function recorder(fail: (items: number[]) => boolean = () => false) {
  const groups: number[][] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  return {
    groups,
    hold() {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    open() {
      release?.();
      gate = null;
    },
    commit: async (items: number[]): Promise<string[]> => {
      groups.push([...items]);
      if (gate) await gate;
      if (fail(items)) throw new Error(`group ${items.join(',')} failed`);
      return items.map((i) => `done ${i}`);
    },
  };
}

describe('GroupCommit', () => {
  it('commits a lone item at once and gives each caller its own result', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxBatch: 10, maxDelayMs: 0, retryAlone: false });
    await expect(group.submit('k', 1)).resolves.toBe('done 1');
    expect(r.groups).toEqual([[1]]);
  });

  it('gathers what arrives while a commit runs into the next commit, per key, in order', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxBatch: 10, maxDelayMs: 0, retryAlone: false });
    r.hold();
    const first = group.submit('a', 1);
    const rest = [2, 3, 4].map((i) => group.submit('a', i));
    const other = group.submit('b', 9);
    r.open();
    await expect(Promise.all([first, ...rest, other])).resolves.toEqual([
      'done 1',
      'done 2',
      'done 3',
      'done 4',
      'done 9',
    ]);
    expect(r.groups).toContainEqual([1]);
    expect(r.groups).toContainEqual([2, 3, 4]);
    expect(r.groups).toContainEqual([9]);
  });

  it('never puts more than maxBatch items in one commit', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxBatch: 3, maxDelayMs: 0, retryAlone: false });
    r.hold();
    const all = [group.submit('k', 0), ...Array.from({ length: 7 }, (_, i) => group.submit('k', i + 1))];
    r.open();
    await Promise.all(all);
    expect(Math.max(...r.groups.map((g) => g.length))).toBeLessThanOrEqual(3);
    expect(r.groups.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('waits up to maxDelayMs for company when idle', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxBatch: 10, maxDelayMs: 20, retryAlone: false });
    const results = await Promise.all([1, 2, 3].map((i) => group.submit('k', i)));
    expect(results).toEqual(['done 1', 'done 2', 'done 3']);
    expect(r.groups).toEqual([[1, 2, 3]]);
  });

  it('fails the whole group together without retryAlone', async () => {
    const r = recorder((items) => items.includes(2));
    const group = new GroupCommit({ commit: r.commit, maxBatch: 10, maxDelayMs: 5, retryAlone: false });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => group.submit('k', i)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('with retryAlone, only the item at fault sees the error', async () => {
    const r = recorder((items) => items.includes(2));
    const group = new GroupCommit({ commit: r.commit, maxBatch: 10, maxDelayMs: 5, retryAlone: true });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => group.submit('k', i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(r.groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('rejects a caller whose result the commit did not return', async () => {
    const group = new GroupCommit<number, string>({
      commit: async () => [],
      maxBatch: 10,
      maxDelayMs: 0,
      retryAlone: false,
    });
    await expect(group.submit('k', 1)).rejects.toThrow(/lost a result/);
  });
});
