// @ts-check
import { AllocationsPanel } from './allocations.js';
import { api, ApiError, describeError, forgetKey, storedKey, storeKey, whenUnauthenticated } from './api.js';
import { AuditPanel } from './audit.js';
import { CheckPanel } from './check.js';
import { byId } from './dom.js';
import { LicencesPanel } from './licences.js';
import { PlanPanel } from './plan.js';

/**
 * What each role may use, from the HTTP contract (API.md, "Conventions"): the console shows only those panels.
 * The service enforces the same matrix on every call; this only spares a user panels that would answer 403.
 */
const PANELS = /** @type {const} */ ({
  check: ['vendor', 'procurement', 'officer'],
  queue: ['procurement', 'officer', 'auditor'],
  licences: ['procurement', 'officer', 'auditor'],
  audit: ['officer', 'auditor'],
});
const ATTACH_ROLES = ['procurement', 'officer'];
/** POST /v1/plans: the roles that may run a check (an auditor runs neither; both are audited actions). */
const PLAN_ROLES = ['vendor', 'procurement', 'officer'];

const signIn = byId('sign-in', HTMLElement);
const signInForm = byId('sign-in-form', HTMLFormElement);
const signInError = byId('sign-in-error', HTMLElement);
const keyInput = byId('api-key', HTMLInputElement);
const workspace = byId('workspace', HTMLElement);
const sessionBar = byId('session-bar', HTMLElement);

const allocations = new AllocationsPanel();
const check = new CheckPanel();
const licences = new LicencesPanel();
const audit = new AuditPanel();
const plan = new PlanPanel();

/** @param {string} id @param {boolean} shown */
function showPanel(id, shown) {
  byId(id, HTMLElement).hidden = !shown;
  const link = document.querySelector(`nav.sections a[href="#${id}"]`);
  if (link?.parentElement) link.parentElement.hidden = !shown;
}

/** @param {{ name: string, role: string }} session */
async function enter(session) {
  signIn.hidden = true;
  workspace.hidden = false;
  sessionBar.hidden = false;
  byId('session-who', HTMLElement).textContent = `Signed in: ${session.name} (${session.role})`;
  /** @param {readonly string[]} roles */
  const may = (roles) => roles.includes(session.role);
  for (const [panel, roles] of Object.entries(PANELS)) showPanel(panel, may(roles));
  licences.canAttach = may(ATTACH_ROLES);
  plan.setAllowed(may(PLAN_ROLES));
  if (may(PLAN_ROLES)) {
    allocations.onChoose = (code) => plan.choose(code);
    allocations.onRefresh = () => plan.refresh();
  }

  const loads = [allocations.load()];
  if (may(PANELS.check) || may(PLAN_ROLES)) {
    loads.push(
      Promise.all([api('GET', '/v1/products'), api('GET', '/v1/countries'), api('GET', '/v1/rulesets')])
        .then(([products, countries, rulesets]) => {
          const reference = { products: products.data, countries: countries.data, rulesets: rulesets.data };
          if (may(PANELS.check)) check.setReference(reference);
          if (may(PLAN_ROLES)) plan.setReference(reference);
        })
        .catch((error) => {
          const message = `Could not load the reference data: ${describeError(error)}`;
          byId('check-error', HTMLElement).textContent = message;
          byId('plan-error', HTMLElement).textContent = message;
        }),
    );
  }
  if (may(PANELS.licences)) loads.push(licences.load());
  if (may(PANELS.audit)) loads.push(audit.load());
  byId('main', HTMLElement).focus();
  await Promise.all(loads);
  document.body.dataset.ready = 'true';
}

function leave() {
  forgetKey();
  // Drop every figure the last key could read: the next person at this screen may hold another role.
  window.location.replace('/console');
}

whenUnauthenticated(() => {
  forgetKey();
  window.location.replace('/console?signedOut=expired');
});

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  signInError.textContent = '';
  if (key === '') {
    signInError.textContent = 'Enter an API key.';
    keyInput.focus();
    return;
  }
  api('GET', '/v1/session', { key })
    .then((session) => {
      storeKey(key);
      keyInput.value = '';
      return enter(session);
    })
    .catch((error) => {
      signInError.textContent =
        error instanceof ApiError && error.status === 401
          ? 'That key is unknown, revoked or expired.'
          : `Could not sign in: ${describeError(error)}`;
      keyInput.focus();
    });
});

byId('sign-out', HTMLButtonElement).addEventListener('click', leave);

const remembered = storedKey();
if (remembered) {
  api('GET', '/v1/session', { key: remembered })
    .then(enter)
    .catch(() => {
      forgetKey();
      signIn.hidden = false;
    });
} else if (new URLSearchParams(window.location.search).get('signedOut') === 'expired') {
  signInError.textContent = 'The service no longer accepts your key (revoked or expired). Sign in again.';
}
