// @ts-check
import { api, describeError } from './api.js';
import { byId, h, replace } from './dom.js';
import { tpp, utc, words } from './format.js';

/**
 * @typedef {{ id: string, number: string, organisationId: string, destination: string, consigneeId: string,
 *   eccns: string[], validFrom: string, validUntil: string, tppAuthorized: number, tppUsed: number,
 *   tppHeld: number, tppRemaining: number, status: string }} License
 * @typedef {{ id: string, organisationId: string, destination: string, consignee: { id: string | null,
 *   name: string }, shipDate: string, createdAt: string, externalReference: string | null,
 *   decision: { totalTpp: number } }} Shipment
 */

export class LicencesPanel {
  /** @type {License[]} */
  licences = [];
  canAttach = false;
  /** Party names by id: licences carry only the consignee's id. @type {Map<string, string>} */
  parties = new Map();

  constructor() {
    this.queueTable = byId('queue-table', HTMLTableElement);
    this.queueStatus = byId('queue-status', HTMLElement);
    this.queueError = byId('queue-error', HTMLElement);
    this.licenceTable = byId('licences-table', HTMLTableElement);
    this.licenceStatus = byId('licences-status', HTMLElement);
    this.licenceError = byId('licences-error', HTMLElement);
    byId('queue-refresh', HTMLButtonElement).addEventListener('click', () => void this.load());
    byId('licences-refresh', HTMLButtonElement).addEventListener('click', () => void this.load());
  }

  /** The queue and the licences together: the queue offers the licences for attachment. */
  async load() {
    const [queue] = await Promise.all([this.fetchQueue(), this.fetchLicences()]);
    for (const shipment of queue ?? []) {
      if (shipment.consignee.id) this.parties.set(shipment.consignee.id, shipment.consignee.name);
    }
    await this.nameParties();
    this.renderLicences();
    this.renderQueue(queue);
  }

  /** Looks up, once each, the consignees of licences that no queued shipment named. */
  async nameParties() {
    const unknown = [...new Set(this.licences.map((l) => l.consigneeId))].filter(
      (id) => !this.parties.has(id),
    );
    await Promise.all(
      unknown.map((id) =>
        api('GET', `/v1/parties/${encodeURIComponent(id)}`)
          .then((party) => this.parties.set(id, party.name))
          .catch(() => undefined),
      ),
    );
  }

  /** @param {License} licence */
  consigneeOf(licence) {
    return this.parties.get(licence.consigneeId) ?? licence.consigneeId;
  }

  async fetchLicences() {
    this.licenceError.textContent = '';
    try {
      this.licences = (await api('GET', '/v1/licenses')).data;
    } catch (error) {
      this.licences = [];
      this.licenceError.textContent = `Could not load the licences: ${describeError(error)}`;
    }
  }

  renderLicences() {
    const count = this.licences.length;
    this.licenceStatus.textContent = `${count} licence${count === 1 ? '' : 's'}, newest first.`;
    replace(
      this.licenceTable.tBodies[0] ?? this.licenceTable.createTBody(),
      this.licences.map((l) =>
        h(
          'tr',
          { 'data-license-id': l.id },
          h('th', { scope: 'row' }, l.number),
          h('td', {}, l.destination),
          h('td', {}, this.consigneeOf(l)),
          h('td', {}, l.eccns.join(', ')),
          h('td', {}, `${l.validFrom} to ${l.validUntil}`),
          h('td', { class: 'num' }, tpp(l.tppAuthorized)),
          h('td', { class: 'num' }, tpp(l.tppUsed)),
          h('td', { class: 'num' }, tpp(l.tppHeld)),
          h('td', { class: 'num remaining' }, tpp(l.tppRemaining)),
          h('td', {}, h('span', { class: `status status-${l.status.toLowerCase()}` }, words(l.status))),
        ),
      ),
    );
  }

  /** @returns {Promise<Shipment[] | null>} */
  async fetchQueue() {
    this.queueError.textContent = '';
    try {
      return (await api('GET', '/v1/shipments', { query: { status: 'PENDING_LICENSE', limit: 100 } })).data;
    } catch (error) {
      this.queueError.textContent = `Could not load the queue: ${describeError(error)}`;
      return null;
    }
  }

  /** @param {Shipment[] | null} queue */
  renderQueue(queue) {
    if (queue === null) {
      this.queueStatus.textContent = '';
      return;
    }
    this.queueStatus.textContent =
      queue.length === 0
        ? 'No shipment is waiting for a licence.'
        : `${queue.length} shipment${queue.length === 1 ? '' : 's'} waiting for a licence, newest first.`;
    replace(
      this.queueTable.tBodies[0] ?? this.queueTable.createTBody(),
      queue.map((s) =>
        h(
          'tr',
          { 'data-shipment-id': s.id },
          h('td', {}, utc(s.createdAt)),
          h('td', {}, s.destination),
          h('th', { scope: 'row' }, s.consignee.name),
          h('td', {}, s.shipDate),
          h('td', { class: 'num' }, tpp(s.decision.totalTpp)),
          h('td', {}, s.externalReference ?? ''),
          h('td', {}, this.canAttach ? this.attachForm(s) : 'Your role may not attach licences.'),
        ),
      ),
    );
  }

  /**
   * A licence picker offering the active licences the shipment could use: same exporter, destination and
   * consignee. The service checks the rest (ECCNs, dates, remaining TPP) and its refusal is shown as it comes.
   * @param {Shipment} shipment
   */
  attachForm(shipment) {
    const candidates = this.licences.filter(
      (l) =>
        l.status === 'ACTIVE' &&
        l.organisationId === shipment.organisationId &&
        l.destination === shipment.destination &&
        (shipment.consignee.id === null || l.consigneeId === shipment.consignee.id),
    );
    if (candidates.length === 0) {
      return h(
        'span',
        { class: 'muted' },
        `No active licence for ${shipment.consignee.name} in ${shipment.destination}.`,
      );
    }
    const selectId = `attach-${shipment.id}`;
    const message = h('span', { class: 'attach-message', role: 'status' });
    const select = h(
      'select',
      { id: selectId },
      candidates.map((l) => h('option', { value: l.id }, `${l.number}: ${tpp(l.tppRemaining)} TPP left`)),
    );
    const button = h('button', { type: 'submit' }, 'Attach licence');
    return h(
      'form',
      {
        class: 'attach',
        onsubmit: (event) => {
          event.preventDefault();
          void this.attach(shipment.id, select.value, button, message);
        },
      },
      h(
        'label',
        { for: selectId, class: 'visually-hidden' },
        `Licence for the shipment to ${shipment.consignee.name}`,
      ),
      select,
      button,
      message,
    );
  }

  /**
   * @param {string} shipmentId
   * @param {string} licenseId
   * @param {HTMLButtonElement} button
   * @param {HTMLElement} message
   */
  async attach(shipmentId, licenseId, button, message) {
    button.disabled = true;
    message.textContent = 'Attaching…';
    try {
      const shipment = await api('POST', `/v1/shipments/${encodeURIComponent(shipmentId)}/license`, {
        body: { licenseId },
      });
      const number = this.licences.find((l) => l.id === licenseId)?.number ?? licenseId;
      await this.load();
      // After the reload, which rewrote the queue's status line: the news first, then how the queue stands.
      this.queueStatus.textContent = `Licence ${number} attached: the shipment is now ${words(shipment.status)}. ${this.queueStatus.textContent}`;
    } catch (error) {
      message.textContent = describeError(error);
      message.className = 'attach-message error';
      button.disabled = false;
    }
  }
}
