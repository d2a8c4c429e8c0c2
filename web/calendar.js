// The live calendar: plain ES modules, no build step. Queries and the hold mutation go over HTTP;
// availability changes arrive over graphql-ws (protocol graphql-transport-ws) on the same /graphql.
import { createClient } from '/vendor/graphql-ws/client.js';

const RESOURCES = `query($after: String) {
  resources(first: 100, after: $after) { edges { node { id name capacity } } pageInfo { hasNextPage endCursor } }
}`;
const AVAILABILITY = `query($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availability(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`;
const AVAILABILITY_CHANGED = `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`;
const HOLD_DATES = `mutation($input: HoldDatesInput!) {
  holdDates(input: $input) {
    __typename
    ... on DatesHeld { hold { id dates expiresAt } }
    ... on DatesUnavailable { dates }
  }
}`;
const LABELS = { AVAILABLE: 'available', PARTIALLY_AVAILABLE: 'some left', HELD: 'held', BOOKED: 'booked' };
const TOKEN_KEY = 'calendar.token';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

let token = params.get('token') || localStorage.getItem(TOKEN_KEY) || '';
let ws;
let stopWatching = () => {};
/** date → the newest answer seen for it; an answer with a lower version never replaces it. */
let view = new Map();
let shown = { resourceId: '', from: '', to: '' };

function say(text, bad = false) {
  $('message').textContent = text;
  $('message').className = bad ? 'bad' : '';
}

function connection(state, text = state) {
  $('connection').dataset.state = state;
  $('connection').textContent = text;
}

async function gql(query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(body.errors[0].message);
  return body.data;
}

/** Every resource: the list comes in pages of at most 100. */
async function allResources() {
  const all = [];
  let after = null;
  for (;;) {
    const { resources } = await gql(RESOURCES, { after });
    all.push(...resources.edges.map((edge) => edge.node));
    if (!resources.pageInfo.hasNextPage) return all;
    after = resources.pageInfo.endCursor;
  }
}

/** Works outside secure contexts too (crypto.randomUUID does not). */
function idempotencyKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

function monthDates(month) {
  const [year, index] = month.split('-').map(Number);
  const days = new Date(Date.UTC(year, index, 0)).getUTCDate();
  return Array.from({ length: days }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

function drawMonth(dates) {
  const calendar = $('calendar');
  calendar.querySelectorAll('.day, .pad').forEach((cell) => cell.remove());
  const offset = (new Date(`${dates[0]}T00:00:00Z`).getUTCDay() + 6) % 7;
  for (let i = 0; i < offset; i += 1) calendar.append(Object.assign(document.createElement('div'), { className: 'pad' }));
  const today = todayUtc();
  for (const date of dates) {
    const cell = document.createElement('button');
    cell.type = 'button';
    cell.className = 'day';
    cell.dataset.date = date;
    cell.disabled = date < today;
    cell.innerHTML = `<span class="number">${Number(date.slice(8))}</span><span class="label">…</span><span class="left"></span>`;
    cell.addEventListener('click', () => hold(date));
    calendar.append(cell);
  }
}

function paint(row, changed) {
  const cell = document.querySelector(`.day[data-date="${row.date}"]`);
  if (!cell) return;
  cell.dataset.status = row.status;
  cell.dataset.version = String(row.version);
  cell.querySelector('.label').textContent = LABELS[row.status];
  cell.querySelector('.left').textContent = row.status === 'PARTIALLY_AVAILABLE' ? `${row.remaining} left` : '';
  if (changed) {
    cell.classList.remove('changed');
    void cell.offsetWidth; // restarts the flash animation
    cell.classList.add('changed');
  }
}

/** Merge by version: whatever order a query answer and change events arrive in, the newest wins. */
function merge(row, changed) {
  if (row.date < shown.from || row.date > shown.to) return;
  const known = view.get(row.date);
  if (known && known.version > row.version) return;
  view.set(row.date, row);
  paint(row, changed && (!known || known.status !== row.status || known.remaining !== row.remaining));
}

async function refresh() {
  const { resourceId, from, to } = shown;
  const data = await gql(AVAILABILITY, { resourceId, from, to });
  if (shown.resourceId === resourceId && shown.from === from) for (const row of data.availability) merge(row, false);
}

function connect() {
  ws?.dispose();
  let connectedBefore = false;
  ws = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${token}` }),
    retryAttempts: Infinity,
    on: {
      connecting: () => connection('connecting', 'connecting…'),
      connected: () => {
        connection('live');
        // After a reconnect, changes made while we were away were not delivered: re-query, merge by version.
        if (connectedBefore && shown.resourceId) refresh().catch((error) => say(error.message, true));
        connectedBefore = true;
      },
      closed: (event) => connection(event?.code === 4403 ? 'refused' : 'offline', event?.code === 4403 ? 'token refused' : 'offline'),
    },
  });
}

/** Subscribe first, then query: a change committed in between is in one or the other, never lost. */
function show(resourceId, month) {
  stopWatching();
  const dates = monthDates(month);
  shown = { resourceId, from: dates[0], to: dates[dates.length - 1] };
  view = new Map();
  drawMonth(dates);
  // Deep link without the token (it is in localStorage now), so the address can be shared.
  history.replaceState(null, '', `?${new URLSearchParams({ resource: resourceId, month })}`);
  stopWatching = ws.subscribe(
    { query: AVAILABILITY_CHANGED, variables: shown },
    {
      next: ({ data, errors }) => {
        if (errors?.length) say(errors[0].message, true);
        if (data) merge(data.availabilityChanged, true);
      },
      error: (error) => say(error instanceof Error ? error.message : 'the live connection failed', true),
      complete: () => {},
    },
  );
  refresh().catch((error) => say(error.message, true));
}

async function hold(date) {
  const resource = $('resource').selectedOptions[0]?.textContent ?? 'resource';
  say(`Holding ${date}…`);
  try {
    const { holdDates } = await gql(HOLD_DATES, { input: { resourceId: shown.resourceId, dates: [date], idempotencyKey: idempotencyKey() } });
    if (holdDates.__typename === 'DatesHeld') {
      say(`Held ${resource} on ${date} until ${new Date(holdDates.hold.expiresAt).toLocaleTimeString()}.`);
    } else {
      say(`${date} is no longer available.`, true);
    }
  } catch (error) {
    say(error.message, true);
  }
}

async function start() {
  if (!token) {
    say('Paste a bearer token to start (npm run token -- <userId>).');
    return;
  }
  connect();
  let resources;
  try {
    resources = await allResources();
  } catch (error) {
    say(error.message, true);
    return;
  }
  if (resources.length === 0) {
    say('No resources yet: an admin creates one with the createResource mutation.');
    return;
  }
  $('resource').replaceChildren(
    ...resources.map((r) => Object.assign(document.createElement('option'), { value: r.id, textContent: `${r.name} (capacity ${r.capacity})` })),
  );
  if (resources.some((r) => r.id === params.get('resource'))) $('resource').value = params.get('resource');
  $('month').value = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month') : todayUtc().slice(0, 7);
  say('');
  show($('resource').value, $('month').value);
}

$('token').value = token;
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  token = $('token').value.trim();
  localStorage.setItem(TOKEN_KEY, token);
  start();
});
$('pick').addEventListener('change', () => {
  if ($('resource').value && $('month').value) show($('resource').value, $('month').value);
});
if (params.get('token')) localStorage.setItem(TOKEN_KEY, token);
start();
