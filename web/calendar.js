// The month grid: each date's status, merged by version from the `availability` query and the
// `availabilityChanged` subscription, with the caller's own holds and bookings marked as theirs.
import { gql, persisted } from './api.js';
import { PageAvailability, PageAvailabilityChanged } from './operations.js';
import { $ } from './ui.js';

const LABELS = { AVAILABLE: 'available', PARTIALLY_AVAILABLE: 'some left', HELD: 'held', BOOKED: 'booked' };
const MINE = { hold: 'your hold', booking: 'your booking' };

export const todayUtc = () => new Date().toISOString().slice(0, 10);

function monthDates(month) {
  const [year, index] = month.split('-').map(Number);
  const days = new Date(Date.UTC(year, index, 0)).getUTCDate();
  return Array.from({ length: days }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/**
 * `onPick(date, mine)` runs on a click on a date; `onChange(row)` after every change event (the
 * journey lists refresh on it); `onError(error)` when loading or the subscription fails.
 */
export function createCalendar({ onPick, onChange, onError }) {
  let shown = { resourceId: '', from: '', to: '' };
  /** date → the newest answer seen for it; an answer with a lower version never replaces it. */
  let view = new Map();
  /** date → 'hold' | 'booking' for the shown resource: what the caller has there. */
  let mine = new Map();
  let stopWatching = () => {};

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
      cell.addEventListener('click', () => onPick(date, mine.get(date)));
      calendar.append(cell);
    }
  }

  function paint(date, changed) {
    const cell = document.querySelector(`.day[data-date="${date}"]`);
    const row = view.get(date);
    if (!cell || !row) return;
    const own = mine.get(date);
    cell.dataset.status = row.status;
    cell.dataset.version = String(row.version);
    if (own) cell.dataset.mine = own;
    else delete cell.dataset.mine;
    cell.querySelector('.label').textContent = own ? MINE[own] : LABELS[row.status];
    cell.querySelector('.left').textContent = row.status === 'PARTIALLY_AVAILABLE' ? `${row.remaining} left` : '';
    cell.title = own ? `${MINE[own]} (${LABELS[row.status]})` : LABELS[row.status];
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
    paint(row.date, changed && (!known || known.status !== row.status || known.remaining !== row.remaining));
  }

  async function refresh() {
    const { resourceId, from, to } = shown;
    const data = await gql(PageAvailability, { resourceId, from, to });
    if (shown.resourceId === resourceId && shown.from === from) for (const row of data.availability) merge(row, false);
  }

  return {
    get resourceId() {
      return shown.resourceId;
    },

    /** Subscribe first, then query: a change committed in between is in one or the other, never lost. */
    show(ws, resourceId, month) {
      stopWatching();
      const dates = monthDates(month);
      shown = { resourceId, from: dates[0], to: dates[dates.length - 1] };
      view = new Map();
      drawMonth(dates);
      stopWatching = ws.subscribe(
        { query: PageAvailabilityChanged.query, variables: shown, extensions: persisted(PageAvailabilityChanged) },
        {
          next: ({ data, errors }) => {
            if (errors?.length) onError(new Error(errors[0].message));
            if (data) {
              merge(data.availabilityChanged, true);
              onChange(data.availabilityChanged);
            }
          },
          error: (error) => onError(error instanceof Error ? error : new Error('the live connection failed')),
          complete: () => {},
        },
      );
      refresh().catch(onError);
    },

    /** After a reconnect, changes made while away were not delivered: re-query, merge by version. */
    refresh: () => (shown.resourceId ? refresh() : Promise.resolve()),

    /** `owned`: date → 'hold' | 'booking' on the shown resource. */
    markMine(owned) {
      const before = mine;
      mine = owned;
      for (const date of new Set([...before.keys(), ...owned.keys()])) {
        if (before.get(date) !== owned.get(date)) paint(date, false);
      }
    },
  };
}
