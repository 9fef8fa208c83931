/**
 * Group commit: callers submit work one at a time, and each commit takes every submission that arrived while
 * the previous commit for the same key ran, so a burst costs one lock, one transaction and one commit instead
 * of one each. Each caller's promise settles only after the commit that carried its work, so nobody answers
 * before their change is durable.
 *
 * Used by the audit trail (checks' records: one queue, a short wait for company when idle) and by reservations
 * (one queue per destination, no wait: a lone reservation goes straight through).
 */
export interface GroupCommitOptions<I, O> {
  /** Commits a group; returns one result per item, in order. */
  commit: (items: I[]) => Promise<O[]>;
  /** Most items in one commit. */
  maxBatch: number;
  /** How long an idle queue waits for company before committing alone; 0 commits at once. */
  maxDelayMs: number;
  /**
   * When a group of several fails, commit each item alone so that only the one at fault sees its error (say,
   * one reservation whose idempotency key another process has just used). Without it the group fails together.
   */
  retryAlone: boolean;
}

interface Pending<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  private readonly queues = new Map<string, Pending<I, O>[]>();
  private readonly draining = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: GroupCommitOptions<I, O>) {}

  /** Queues an item under a key (items under different keys never share a commit) and waits for its commit. */
  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ item, resolve, reject });
      this.queues.set(key, queue);
      this.schedule(key, queue.length);
    });
  }

  private schedule(key: string, queued: number): void {
    if (this.draining.has(key)) return;
    const waiting = this.timers.get(key);
    if (this.options.maxDelayMs <= 0 || queued >= this.options.maxBatch) {
      if (waiting) clearTimeout(waiting);
      this.timers.delete(key);
      void this.drain(key);
      return;
    }
    if (waiting) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.drain(key);
      }, this.options.maxDelayMs),
    );
  }

  private async drain(key: string): Promise<void> {
    this.draining.add(key);
    try {
      for (;;) {
        const queue = this.queues.get(key);
        if (!queue || queue.length === 0) break;
        await this.commitGroup(queue.splice(0, this.options.maxBatch));
      }
    } finally {
      this.draining.delete(key);
      if (this.queues.get(key)?.length === 0) this.queues.delete(key);
    }
  }

  private async commitGroup(group: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.options.commit(group.map((p) => p.item));
      settle(group, results);
    } catch (error) {
      if (!this.options.retryAlone || group.length === 1) {
        for (const pending of group) pending.reject(error);
        return;
      }
      for (const pending of group) {
        try {
          settle([pending], await this.options.commit([pending.item]));
        } catch (retryError) {
          pending.reject(retryError);
        }
      }
    }
  }
}

function settle<I, O>(group: Pending<I, O>[], results: O[]): void {
  group.forEach((pending, index) => {
    if (index < results.length) pending.resolve(results[index] as O);
    else pending.reject(new Error('group commit lost a result'));
  });
}
