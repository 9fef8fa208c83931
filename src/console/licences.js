// @ts-check
import { api, describeError } from './api.js';
import { byId, h, replace } from './dom.js';
import { tpp, utc, words } from './format.js';

/**
 * @typedef {{ id: string, number: string, destination: string, consignee?: string | { name: string },
 *   consigneeName?: string, eccns: string[], validFrom: string, validUntil: string, tppAuthorized: number,
 *   tppUsed: number, tppHeld: number, tppRemaining: number, status: string }} License
 */

/** A party is shown by name whether the API sends a name or `{ id, name }`. @param {unknown} party */
function partyName(party) {
  if (typeof party === 'string') return party;
  if (party && typeof party === 'object' && 'name' in party) return String(party.name);
  return '';
}

/** @param {License} licence */
function licenceConsignee(licence) {
  return licence.consigneeName ?? partyName(licence.consignee);
}

export class LicencesPanel {
  /** @type {License[]} */
  licences = [];
  canAttach = false;

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

  /** Licences first: the queue offers them for attachment. */
  async load() {
    await this.loadLicences();
    await this.loadQueue();
  }

  async loadLicences() {
    this.licenceError.textContent = '';
    try {
      const { data } = await api('GET', '/v1/licenses');
      this.licences = data;
      this.licenceStatus.textContent = `${data.length} licence${data.length === 1 ? '' : 's'}.`;
      replace(
        this.licenceTable.tBodies[0] ?? this.licenceTable.createTBody(),
        data.map((/** @type {License} */ l) =>
          h(
            'tr',
            { 'data-license-id': l.id },
            h('th', { scope: 'row' }, l.number),
            h('td', {}, l.destination),
            h('td', {}, licenceConsignee(l)),
            h('td', {}, (l.eccns ?? []).join(', ')),
            h('td', {}, `${l.validFrom} to ${l.validUntil}`),
            h('td', { class: 'num' }, tpp(l.tppAuthorized)),
            h('td', { class: 'num' }, tpp(l.tppUsed)),
            h('td', { class: 'num' }, tpp(l.tppHeld)),
            h('td', { class: 'num remaining' }, tpp(l.tppRemaining)),
            h('td', {}, h('span', { class: `status status-${l.status.toLowerCase()}` }, words(l.status))),
          ),
        ),
      );
    } catch (error) {
      this.licences = [];
      this.licenceStatus.textContent = '';
      this.licenceError.textContent = `Could not load the licences: ${describeError(error)}`;
    }
  }

  async loadQueue() {
    this.queueError.textContent = '';
    try {
      const { data } = await api('GET', '/v1/shipments', {
        query: { status: 'PENDING_LICENSE', limit: 100 },
      });
      this.queueStatus.textContent =
        data.length === 0
          ? 'No shipment is waiting for a licence.'
          : `${data.length} shipment(s) waiting for a licence.`;
      replace(
        this.queueTable.tBodies[0] ?? this.queueTable.createTBody(),
        data.map((/** @type {any} */ s) => this.queueRow(s)),
      );
    } catch (error) {
      this.queueStatus.textContent = '';
      this.queueError.textContent = `Could not load the queue: ${describeError(error)}`;
    }
  }

  /** @param {any} shipment */
  queueRow(shipment) {
    const destination =
      typeof shipment.destination === 'string' ? shipment.destination : shipment.destination?.code;
    const totalTpp = shipment.decision?.totalTpp;
    const consignee = partyName(shipment.consignee);
    return h(
      'tr',
      { 'data-shipment-id': shipment.id },
      h('td', {}, utc(shipment.createdAt)),
      h('td', {}, destination ?? ''),
      h('th', { scope: 'row' }, consignee),
      h('td', {}, shipment.shipDate ?? ''),
      h('td', { class: 'num' }, tpp(totalTpp)),
      h('td', {}, shipment.externalReference ?? ''),
      h(
        'td',
        {},
        this.canAttach
          ? this.attachForm(shipment, destination, consignee)
          : 'Your role may not attach licences.',
      ),
    );
  }

  /**
   * A licence picker offering the active licences for the shipment's destination; the service checks the rest
   * (consignee, ECCNs, dates, remaining TPP) and its refusal is shown as it comes.
   * @param {any} shipment
   * @param {string | undefined} destination
   * @param {string} consignee
   */
  attachForm(shipment, destination, consignee) {
    const candidates = this.licences
      .filter((l) => l.status === 'ACTIVE' && l.destination === destination)
      // Those naming this consignee first: the likeliest match.
      .sort((a, b) => Number(licenceConsignee(b) === consignee) - Number(licenceConsignee(a) === consignee));
    const selectId = `attach-${shipment.id}`;
    const message = h('span', { class: 'attach-message', role: 'status' });
    if (candidates.length === 0)
      return h('span', { class: 'muted' }, `No active licence for ${destination ?? 'this destination'}.`);
    const select = h(
      'select',
      { id: selectId },
      candidates.map((l) =>
        h('option', { value: l.id }, `${l.number}: ${licenceConsignee(l)}, ${tpp(l.tppRemaining)} TPP left`),
      ),
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
      h('label', { for: selectId, class: 'visually-hidden' }, `Licence for the shipment to ${consignee}`),
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
      this.queueStatus.textContent = `Licence ${number} attached: the shipment is now ${words(shipment.status)}.`;
      await this.load();
    } catch (error) {
      message.textContent = describeError(error);
      message.className = 'attach-message error';
      button.disabled = false;
    }
  }
}
