// The booking journey on one page: the live calendar, my holds, my bookings, my wallet.
// Plain ES modules, no build step. Queries and mutations go over HTTP; the calendar's and the
// wallet's changes arrive over graphql-ws on the same /graphql (web/live.js). Every operation is one
// of web/operations.js (generated from web/operations.graphql), so the page works with TRUSTED_DOCUMENTS.
import { getToken, gql, humanError, setToken, simulationAvailable, storedToken } from './api.js';
import { createBookings } from './bookings.js';
import { createCalendar, todayUtc } from './calendar.js';
import { createHolds } from './holds.js';
import { createLive } from './live.js';
import { PageResources } from './operations.js';
import { $, el, say } from './ui.js';
import { createWallet } from './wallet.js';

const POLL_MS = 10_000;

const params = new URLSearchParams(location.search);
let resources = new Map();
let local = false;
let polling;
/** Whether start() ran with a token: the live views are then that caller's. */
let started = false;
/** What the caller has, for the calendar's "yours" marks. */
let myHolds = [];
let myBookings = [];
/** date → 'hold' | 'booking' on the shown resource. */
let owned = new Map();

function connection(state, text) {
  $('connection').dataset.state = state;
  $('connection').textContent = text;
}

/** One live connection for the page's lifetime (another token starts the page afresh, below). */
const live = createLive({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
  token: getToken,
  onState: connection,
});

function resourceName(id, withCapacity = false) {
  const resource = resources.get(id);
  if (!resource) return 'a resource';
  return withCapacity ? `${resource.name} (capacity ${resource.capacity})` : resource.name;
}

/** My live holds and booked dates on the shown resource, marked as mine on the calendar. */
function markMine() {
  owned = new Map();
  for (const booking of myBookings) {
    if (booking.resourceId !== calendar.resourceId) continue;
    if (booking.status === 'CONFIRMED' || booking.status === 'PENDING_PAYMENT')
      for (const date of booking.dates) owned.set(date, 'booking');
  }
  for (const hold of myHolds) if (hold.resourceId === calendar.resourceId) for (const date of hold.dates) owned.set(date, 'hold');
  calendar.markMine(owned);
}

let refreshSoon;
/** A date of mine changed (a payment arrived, a hold was swept…): reload my lists, once per burst. */
function refreshLists() {
  clearTimeout(refreshSoon);
  refreshSoon = setTimeout(() => {
    holds.refresh().catch(() => {});
    bookings.refresh().catch(() => {});
  }, 150);
}

const calendar = createCalendar({
  onPick: (date, mine) => {
    if (mine === 'hold') return say(`You already hold ${date}: pay for it or release it under "My holds".`);
    if (mine === 'booking') return say(`You have booked ${date}; cancel it under "My bookings" if plans change.`);
    return holds.hold(calendar.resourceId, date);
  },
  // Only a change to a date of mine can change my lists (paid, expired, cancelled elsewhere).
  onChange: (row) => owned.has(row.date) && refreshLists(),
  onError: (error) => say(humanError(error), true),
});
const holds = createHolds({
  resourceName,
  local: () => local,
  onChange: (live) => {
    myHolds = live;
    markMine();
  },
  onPaid: () => bookings.refresh(),
  onWalletChanged: () => wallet.refresh(),
});
const bookings = createBookings({
  resourceName,
  onChange: (list) => {
    myBookings = list;
    markMine();
  },
});
const wallet = createWallet({ live, onChange: (accounts) => holds.setAccounts(accounts) });

/** Every resource: the list comes in pages of at most 100. */
async function allResources() {
  const all = [];
  let after = null;
  for (;;) {
    const { resources: page } = await gql(PageResources, { after });
    all.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return all;
    after = page.pageInfo.endCursor;
  }
}

function show(resourceId, month) {
  // Deep link without the token (it is in localStorage now), so the address can be shared.
  history.replaceState(null, '', `?${new URLSearchParams({ resource: resourceId, month })}`);
  calendar.show(live, resourceId, month);
  markMine();
}

async function start() {
  if (!getToken()) {
    say('Paste a bearer token to start (npm run token -- <userId>).');
    return;
  }
  document.body.dataset.ready = 'loading';
  started = true;
  local = await simulationAvailable();
  document.body.dataset.payments = local ? 'local' : 'stripe';
  let list;
  try {
    list = await allResources();
  } catch (error) {
    say(humanError(error), true);
    return;
  }
  resources = new Map(list.map((r) => [r.id, r]));
  // Lists first, so the calendar marks what is mine as soon as it draws.
  await Promise.all([holds.refresh(), bookings.refresh(), wallet.refresh()]).catch((error) => say(humanError(error), true));
  clearInterval(polling);
  // Modest polling for what no event announces: a refund's progress, a hold on another resource,
  // and, while money is reserved, an authorization lapsing (time passes; nothing is committed).
  polling = setInterval(() => {
    refreshLists();
    if (wallet.reserving) wallet.refresh().catch(() => {});
  }, POLL_MS);
  if (list.length === 0) {
    say('No resources yet: an admin creates one with the createResource mutation.');
    document.body.dataset.ready = 'true';
    return;
  }
  $('resource').replaceChildren(...list.map((r) => el('option', { value: r.id, textContent: `${r.name} (capacity ${r.capacity})` })));
  if (resources.has(params.get('resource'))) $('resource').value = params.get('resource');
  $('month').value = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month') : todayUtc().slice(0, 7);
  say('');
  show($('resource').value, $('month').value);
  document.body.dataset.ready = 'true';
}

setToken(params.get('token') || storedToken(), Boolean(params.get('token')));
$('token').value = getToken();
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setToken($('token').value.trim());
  if (!started) return start();
  // Another caller: start afresh, so no live view of the previous one stays open (the new token is in localStorage).
  params.delete('token');
  location.replace(`?${params}`);
});
$('pick').addEventListener('change', () => {
  if ($('resource').value && $('month').value) show($('resource').value, $('month').value);
});
start();
