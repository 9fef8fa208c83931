import type { z } from 'zod';
import type { FieldError } from '../../errors.ts';

type Issue = z.core.$ZodIssue;

function pathOf(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/**
 * A zod error as field errors with full paths, as the error handler reports a body: for a union (catalogue line or
 * custom line) the branch with the fewest problems is the one the caller meant.
 */
export function zodFieldErrors(error: z.ZodError, root = 'body'): FieldError[] {
  const walk = (issues: readonly Issue[], prefix: readonly PropertyKey[]): FieldError[] =>
    issues.flatMap((issue) => {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
        return walk(best, path);
      }
      return [{ path: pathOf(root, path), message: issue.message }];
    });
  return walk(error.issues, []);
}
