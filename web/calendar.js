// The month grid: each date's status, live from the availabilityUpdates subscription (its first
// message the month's state, then one message per committed transaction), with the caller's own
// holds and bookings marked as theirs.
import { PageAvailabilityUpdates } from './operations.js';
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
 * `onPick(date, mine)` runs on a click on a date; `onChange(row)` for every date a transaction
 * changed (the journey lists refresh on it); `onError(error)` when the subscription fails.
 */
export function createCalendar({ onPick, onChange, onError }) {
  let shown = { resourceId: '', from: '', to: '' };
  /** date → its state as the last message that carried it left it. */
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

  /**
   * Messages arrive in commit order, each with every date its transaction changed, so the newest
   * message is the truth: a reset replaces the month's state, an update the dates it carries.
   */
  function apply(update) {
    const before = view;
    if (update.reset) view = new Map();
    for (const row of update.dates) {
      if (row.date < shown.from || row.date > shown.to) continue;
      view.set(row.date, row);
      const known = before.get(row.date);
      // Flash what visibly changed; the first state of the month is drawn quietly.
      paint(row.date, known !== undefined && (known.status !== row.status || known.remaining !== row.remaining));
      if (known !== undefined && known.version !== row.version) onChange(row);
    }
  }

  return {
    get resourceId() {
      return shown.resourceId;
    },

    /** The month of `resourceId`, live on `live` (web/live.js), which resumes it after a drop. */
    show(live, resourceId, month) {
      stopWatching();
      const dates = monthDates(month);
      shown = { resourceId, from: dates[0], to: dates[dates.length - 1] };
      view = new Map();
      drawMonth(dates);
      const watched = shown;
      // A message of the month shown before may still be on its way: it is not this month's.
      const onMessage = (update) => shown === watched && apply(update);
      stopWatching = live.watch(PageAvailabilityUpdates, shown, { onMessage, onError });
    },

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
