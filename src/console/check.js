// @ts-check
import { api, describeError } from './api.js';
import { byId, h, replace } from './dom.js';
import { h100e, today, tpp, words } from './format.js';

/**
 * @typedef {{ id: string, vendor: string, name: string, tpp: number, eccn: string }} Product
 * @typedef {{ applies: boolean, capTpp: number, usedTpp: number, remainingTpp: number,
 *   thisShipmentTpp: number, remainingAfterTpp?: number, year?: number }} PoolView
 */

/** What lets a shipment go without a new licence (API.md, `authorization`), in words with its rule. */
const AUTHORIZATIONS = /** @type {Record<string, string>} */ ({
  AIA: 'License Exception AIA (Artificial Intelligence Authorization, 15 CFR 740.27)',
  LPP: 'License Exception LPP (Low Processing Performance, 15 CFR 740.29)',
  VEU: 'a Validated End User authorization (15 CFR 748.15)',
  NLR: 'no licence required (NLR)',
  NAC: 'License Exception NAC (Notified Advanced Computing, 15 CFR 740.8)',
  ACA: 'License Exception ACA (Advanced Compute Authorized, 15 CFR 740.8)',
});

const REVIEW_POLICIES = /** @type {Record<string, string>} */ ({
  PRESUMPTION_OF_APPROVAL: 'presumption of approval',
  CASE_BY_CASE: 'case-by-case review',
  PRESUMPTION_OF_DENIAL: 'presumption of denial',
});

/**
 * The rule packs as options of a select, each with its legal status today; the configured default chosen.
 * @param {any[]} rulesets from GET /v1/rulesets
 */
export function rulesetOptions(rulesets) {
  return rulesets.map((r) =>
    h(
      'option',
      { value: r.id, selected: r.isDefault },
      `${r.name} (${r.id}): ${r.statusOn?.inForce ? 'in force' : words(r.statusOn?.status ?? '')}${r.isDefault ? ', default' : ''}`,
    ),
  );
}

/**
 * The one word a person acts on. Decisions that predate `outcome` (API.md, "Outcome") carry only
 * allowed/licenseRequired; the same word follows from them.
 * @param {any} decision
 * @returns {string}
 */
export function outcomeOf(decision) {
  if (typeof decision.outcome === 'string') return decision.outcome;
  if (decision.allowed) return 'ALLOWED';
  return decision.licenseRequired ? 'LICENSE_REQUIRED' : 'NOT_ALLOWED';
}

/** @param {any} d */
function headline(d) {
  const outcome = outcomeOf(d);
  const by = AUTHORIZATIONS[d.authorization] ?? d.authorization;
  switch (outcome) {
    case 'ALLOWED':
      return `May ship now${by ? ` under ${by}` : ''}.`;
    case 'NOTIFICATION_REQUIRED':
      return `May ship once BIS has been notified and has not objected${by ? ` (${by})` : ''}.`;
    case 'LICENSE_REQUIRED':
      return `A licence is required${d.reviewPolicy ? `: ${REVIEW_POLICIES[d.reviewPolicy] ?? words(d.reviewPolicy)}` : ''}.`;
    case 'REVIEW':
      return 'A person must review this order: the data cannot support an answer. This is not a clearance.';
    default:
      return 'Not allowed as proposed.';
  }
}

/**
 * @param {string} title
 * @param {PoolView | null | undefined} pool
 * @param {string} none
 */
function poolRow(title, pool, none) {
  if (!pool) return h('tr', {}, h('th', { scope: 'row' }, title), h('td', { colspan: 5 }, none));
  const after =
    pool.remainingAfterTpp ?? (pool.applies ? pool.remainingTpp - pool.thisShipmentTpp : pool.remainingTpp);
  return h(
    'tr',
    { class: pool.applies ? 'applies' : null },
    h('th', { scope: 'row' }, title),
    h('td', {}, pool.applies ? 'yes' : 'no'),
    h('td', { class: 'num' }, tpp(pool.capTpp)),
    h('td', { class: 'num' }, tpp(pool.remainingTpp)),
    h('td', { class: 'num' }, pool.applies ? tpp(pool.thisShipmentTpp) : '0'),
    h('td', { class: after < 0 ? 'num over' : 'num' }, tpp(after)),
  );
}

/**
 * The decision as a card a compliance officer reads top to bottom: outcome first, then the legal status of
 * the rules it was made under, the reasons with their citations, and the quota before and after.
 * @param {any} d
 */
export function decisionCard(d) {
  const outcome = outcomeOf(d);
  const ruleset = d.ruleset ?? {};
  const consignee = typeof d.consignee === 'object' && d.consignee ? d.consignee.name : undefined;
  return h(
    'article',
    {
      class: `decision outcome-${outcome.toLowerCase()}`,
      'aria-labelledby': 'decision-outcome',
      'data-check-id': d.checkId,
    },
    h(
      'header',
      {},
      h('p', { class: 'outcome', id: 'decision-outcome' }, words(outcome)),
      h('p', { class: 'headline' }, headline(d)),
      h(
        'p',
        { class: 'meta' },
        `${d.destination.name} (${d.destination.code}, ${words(d.destination.tier)}) · ${tpp(d.totalTpp)} TPP · `,
        `${h100e(d.totalTpp)} H100-equivalents${consignee ? ` · consignee ${consignee}` : ''} · check ${d.checkId}`,
      ),
    ),
    h(
      'section',
      { class: ruleset.inForceOnShipDate ? 'legal' : 'legal not-in-force', 'aria-label': 'Legal status' },
      h('h3', {}, 'Legal status'),
      h(
        'p',
        {},
        `${ruleset.name ?? ruleset.id} (${ruleset.citation ?? ''}, pack ${ruleset.id}): ${words(ruleset.status ?? '')}. `,
        h(
          'strong',
          {},
          ruleset.inForceOnShipDate
            ? 'In force on the ship date.'
            : 'Not in force on the ship date: a planning answer, not the law of the day.',
        ),
      ),
      (d.warnings ?? []).length > 0
        ? h(
            'ul',
            { class: 'warnings' },
            d.warnings.map((/** @type {string} */ w) => h('li', {}, w)),
          )
        : null,
    ),
    h(
      'section',
      { 'aria-label': 'Reasons' },
      h('h3', {}, 'Reasons'),
      h(
        'ol',
        { class: 'reasons' },
        (d.reasons ?? []).map((/** @type {{ code: string, message: string, citation: string }} */ r) =>
          h('li', {}, h('code', {}, r.code), ' ', r.message, ' ', h('cite', {}, r.citation)),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-label': 'Quota' },
      h('h3', {}, 'Quota before and after (TPP)'),
      h(
        'table',
        { class: 'figures' },
        h('caption', {}, 'A check reserves nothing: "after" is what this shipment would leave.'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Pool', 'Draws on it', 'Cap', 'Remaining before', 'This shipment', 'Remaining after'].map(
              (label, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : null }, label),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          poolRow(
            'Country allocation',
            d.quota?.countryAllocation,
            'None: this destination has no allocation.',
          ),
          poolRow(
            `Consignee's LPP budget${d.quota?.lpp?.year ? `, ${d.quota.lpp.year}` : ''}`,
            d.quota?.lpp,
            'None for this destination.',
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-label': 'Items' },
      h('h3', {}, 'Items'),
      h(
        'table',
        { class: 'figures' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Item', 'Quantity', 'ECCN', 'TPP per unit', 'TPP'].map((label, i) =>
              h('th', { scope: 'col', class: i === 1 || i >= 3 ? 'num' : null }, label),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          (d.items ?? []).map((/** @type {any} */ item) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, item.productId ?? item.description ?? ''),
              h('td', { class: 'num' }, tpp(item.quantity)),
              h('td', {}, item.eccn),
              h('td', { class: 'num' }, tpp(item.tppPerUnit)),
              h('td', { class: 'num' }, tpp(item.tpp)),
            ),
          ),
        ),
      ),
    ),
  );
}

export class CheckPanel {
  /** @type {Product[]} */
  products = [];
  itemCount = 0;

  constructor() {
    this.form = byId('check-form', HTMLFormElement);
    this.items = byId('check-items', HTMLElement);
    this.result = byId('check-result', HTMLElement);
    this.error = byId('check-error', HTMLElement);
    this.denied = byId('check-denied', HTMLElement);
    this.ruleset = byId('check-ruleset', HTMLSelectElement);
    this.shipDate = byId('check-ship-date', HTMLInputElement);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run();
    });
    byId('check-add-item', HTMLButtonElement).addEventListener('click', () => this.addItem().focus());
  }

  /** @param {boolean} allowed */
  setAllowed(allowed) {
    this.form.hidden = !allowed;
    this.denied.hidden = allowed;
    this.denied.textContent = allowed ? '' : 'Your role may read decisions but not run checks.';
  }

  /**
   * @param {{ products: Product[], countries: { code: string, name: string }[], rulesets: any[] }} reference
   */
  setReference({ products, countries, rulesets }) {
    this.products = [...products].sort((a, b) =>
      `${a.vendor} ${a.name}`.localeCompare(`${b.vendor} ${b.name}`),
    );
    replace(
      byId('country-options', HTMLDataListElement),
      countries.map((c) => h('option', { value: c.code }, `${c.name} (${c.code})`)),
    );
    replace(this.ruleset, rulesetOptions(rulesets));
    if (!this.shipDate.value) this.shipDate.value = today();
    if (this.itemCount === 0) this.addItem();
  }

  /** Adds an item row and returns its product field. */
  addItem() {
    this.itemCount += 1;
    const n = this.itemCount;
    const product = h(
      'select',
      { id: `check-item-${n}-product`, name: 'productId', required: true },
      this.products.map((p) =>
        h('option', { value: p.id }, `${p.vendor} ${p.name} (${p.eccn}, ${tpp(p.tpp)} TPP)`),
      ),
    );
    const quantity = h('input', {
      id: `check-item-${n}-quantity`,
      name: 'quantity',
      type: 'number',
      min: 1,
      step: 1,
      required: true,
      value: 1,
      inputmode: 'numeric',
    });
    const row = h(
      'div',
      { class: 'item-row', 'data-item': n },
      h('div', { class: 'field' }, h('label', { for: product.id }, `Item ${n}: product`), product),
      h('div', { class: 'field' }, h('label', { for: quantity.id }, 'Quantity'), quantity),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-label': `Remove item ${n}`,
          onclick: () => {
            if (this.items.children.length > 1) row.remove();
          },
        },
        'Remove',
      ),
    );
    this.items.append(row);
    return product;
  }

  body() {
    /** @param {string} id */
    const value = (id) => byId(id, HTMLInputElement).value.trim();
    const items = [...this.items.querySelectorAll('.item-row')].map((row) => ({
      productId: /** @type {HTMLSelectElement} */ (row.querySelector('select')).value,
      quantity: Number(/** @type {HTMLInputElement} */ (row.querySelector('input')).value),
    }));
    const verified = byId('check-veu', HTMLSelectElement).value;
    const consignee = value('check-consignee');
    return {
      destination: value('check-destination'),
      items,
      endUser: {
        name: value('check-end-user'),
        headquarters: value('check-headquarters'),
        verifiedEndUser: verified === '' ? null : verified,
      },
      ...(consignee === '' ? {} : { consignee }),
      shipDate: this.shipDate.value,
      ruleset: this.ruleset.value,
    };
  }

  async run() {
    this.error.textContent = '';
    const submit = byId('check-submit', HTMLButtonElement);
    submit.disabled = true;
    try {
      const decision = await api('POST', '/v1/checks', { body: this.body() });
      replace(this.result, decisionCard(decision));
      this.result.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      replace(this.result);
      this.error.textContent = `The check was refused: ${describeError(error)}`;
    } finally {
      submit.disabled = false;
    }
  }
}
