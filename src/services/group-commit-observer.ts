/** Group commits in this process report their batch sizes here; the metrics plugin listens. */
export type GroupCommitKind = 'audit' | 'reservation';
export type GroupCommitObserver = (kind: GroupCommitKind, size: number) => void;

const observers = new Set<GroupCommitObserver>();

/** Subscribes; returns the function that unsubscribes. */
export function observeGroupCommits(observer: GroupCommitObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function reportGroupCommit(kind: GroupCommitKind, size: number): void {
  for (const observer of observers) observer(kind, size);
}
