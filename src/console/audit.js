// @ts-check
import { api, describeError } from './api.js';
import { byId, h, replace } from './dom.js';
import { utc } from './format.js';

const PAGE_SIZE = 25;

export class AuditPanel {
  /** @type {string | null} */
  cursor = null;

  constructor() {
    this.table = byId('audit-table', HTMLTableElement);
    this.verification = byId('audit-verification', HTMLElement);
    this.error = byId('audit-error', HTMLElement);
    this.older = byId('audit-older', HTMLButtonElement);
    this.action = byId('audit-action', HTMLInputElement);
    byId('audit-verify', HTMLButtonElement).addEventListener('click', () => void this.verify());
    byId('audit-refresh', HTMLButtonElement).addEventListener('click', () => void this.load());
    byId('audit-filter', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      void this.loadPage(false);
    });
    this.older.addEventListener('click', () => void this.loadPage(true));
  }

  async load() {
    await Promise.all([this.verify(), this.loadPage(false)]);
  }

  /** Recomputes the whole chain on the server and says, in words, whether it is intact. */
  async verify() {
    this.verification.className = 'verification pending';
    this.verification.textContent = 'Verifying the hash chain…';
    try {
      const result = await api('GET', '/v1/audit/verify');
      if (result.valid) {
        this.verification.className = 'verification valid';
        this.verification.textContent =
          `Chain intact: ${result.events} events verified` +
          (result.headSeq
            ? `, up to seq ${result.headSeq} (hash ${String(result.headHash).slice(0, 16)}…).`
            : '.');
      } else {
        this.verification.className = 'verification broken';
        this.verification.textContent =
          `Chain BROKEN at seq ${result.firstBrokenSeq}: ${result.reason}. ` +
          `${result.events} events before it are intact.`;
      }
    } catch (error) {
      this.verification.className = 'verification broken';
      this.verification.textContent = `Could not verify the chain: ${describeError(error)}`;
    }
  }

  /** @param {boolean} older append the next (older) page instead of starting again */
  async loadPage(older) {
    this.error.textContent = '';
    try {
      const page = await api('GET', '/v1/audit', {
        query: {
          limit: PAGE_SIZE,
          action: this.action.value.trim() || undefined,
          cursor: older ? (this.cursor ?? undefined) : undefined,
        },
      });
      const body = this.table.tBodies[0] ?? this.table.createTBody();
      const rows = page.data.map((/** @type {any} */ event) => row(event));
      if (older) body.append(...rows);
      else replace(body, rows);
      this.cursor = page.nextCursor;
      this.older.hidden = page.nextCursor === null;
    } catch (error) {
      this.error.textContent = `Could not load the audit trail: ${describeError(error)}`;
    }
  }
}

/** @param {any} event */
function row(event) {
  return h(
    'tr',
    { 'data-seq': event.seq },
    h('td', { class: 'num' }, event.seq),
    h('td', {}, utc(event.occurredAt)),
    h('th', { scope: 'row' }, h('code', {}, event.action)),
    h('td', {}, `${event.targetType} ${event.targetId}`),
    h('td', {}, event.actorRole ?? 'system'),
    h('td', {}, h('code', { title: event.hash }, `${event.hash.slice(0, 12)}…`)),
    h(
      'td',
      {},
      h(
        'details',
        {},
        h('summary', {}, 'Payload'),
        h('pre', {}, JSON.stringify(event.payload, null, 2)),
        h('p', {}, `Request ${event.requestId ?? '—'}; previous hash ${event.prevHash.slice(0, 12)}…`),
      ),
    ),
  );
}
