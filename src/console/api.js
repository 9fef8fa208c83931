// @ts-check
/**
 * The console's only way to the service: the public API, with the signed-in key. The key lives in this tab's
 * session storage and nowhere else (no cookie, no local storage), so closing the tab or signing out forgets it.
 */

const KEY_ITEM = 'gpu-compliance.apiKey';

/**
 * An RFC 9457 problem answered by the API.
 * @typedef {{ type?: string, title?: string, status: number, detail?: string, code?: string,
 *   requestId?: string, errors?: { path: string, message: string }[] }} Problem
 */

export class ApiError extends Error {
  /** @param {Problem} problem */
  constructor(problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status() {
    return this.problem.status;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

/** @param {string} key */
export function storeKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_ITEM);
}

/** Called when the service says the key is no longer valid (revoked, expired). @type {() => void} */
let onUnauthenticated = () => {};

/** @param {() => void} handler */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

/**
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {{ body?: unknown, key?: string, query?: Record<string, string | number | undefined> }} [options]
 * @returns {Promise<any>}
 */
export async function api(method, path, options = {}) {
  const key = options.key ?? storedKey();
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError({ status: 0, title: 'Network error', detail: 'The service did not answer.' });
  }
  const text = await response.text();
  /** @type {any} */
  let payload = null;
  try {
    payload = text === '' ? null : JSON.parse(text);
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const problem =
      payload && typeof payload === 'object'
        ? { ...payload, status: response.status }
        : { status: response.status, title: response.statusText };
    if (response.status === 401 && options.key === undefined) onUnauthenticated();
    throw new ApiError(problem);
  }
  return payload;
}

/**
 * A readable sentence for an error, with its field errors and request id.
 * @param {unknown} error
 */
export function describeError(error) {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const { problem } = error;
  const fields = (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`);
  const head = problem.detail ?? problem.title ?? `HTTP ${problem.status}`;
  const code = problem.code ? ` (${problem.code})` : '';
  const id = problem.requestId ? ` Request id ${problem.requestId}.` : '';
  return `${head}${code}${fields.length > 0 ? ` ${fields.join('; ')}.` : ''}${id}`;
}
