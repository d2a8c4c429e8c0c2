// "My holds": each live hold with a countdown to its expiry, Pay with card (Stripe Checkout), Pay from
// wallet (payFromWallet.js), Release, and in local mode (stripe-mock) "Simulate payment". Clicking a
// free date on the calendar holds it.
import { ApiError, gql, humanError, idempotencyKey, mutate, simulatePayment } from './api.js';
import { PageCheckoutHold, PageHoldDates, PageMyHolds, PageReleaseHold } from './operations.js';
import { createWalletPayment } from './payFromWallet.js';
import { $, countdown, el, latestOnly, money, say } from './ui.js';

const listDates = (dates) => dates.join(', ');
const retrying = () => say('Connection trouble; trying again (it will not be done twice)…');

/**
 * `resourceName(id)` names a resource; `local()` says whether payments may be simulated;
 * `onChange(holds)` runs with the live holds after each load; `onPaid()` after a simulated payment
 * or one from the wallet; `onWalletChanged()` after every attempt to pay from the wallet.
 */
export function createHolds({ resourceName, local, onChange, onPaid, onWalletChanged }) {
  let holds = [];
  /** holdId → the Checkout URL, once Pay was pressed. */
  const checkouts = new Map();
  let drawn = '';
  const walletPayment = createWalletPayment({
    onPaid: () => Promise.all([refresh(), onPaid()]),
    onLapsed: (hold) => replace(hold),
    onGone: () => refresh(),
    onWalletChanged,
  });

  const isLive = (hold) => hold.status === 'HELD' && new Date(hold.expiresAt).getTime() > Date.now();

  function row(hold) {
    const checkoutUrl = checkouts.get(hold.id);
    const actions = el('span', { className: 'actions' });
    if (checkoutUrl) {
      actions.append(
        el('a', { className: 'checkout-link', href: checkoutUrl, target: '_blank', rel: 'noopener', textContent: 'Stripe Checkout ↗' }),
      );
      if (local()) {
        actions.append(
          el('button', { type: 'button', className: 'simulate', textContent: 'Simulate payment', onclick: () => simulate(hold) }),
          el('small', { className: 'note', textContent: 'stripe-mock has no payment page' }),
        );
      }
    } else {
      actions.append(
        el('button', {
          type: 'button',
          className: 'pay',
          textContent: `Pay ${money(hold.amount, hold.currency)} with card`,
          onclick: () => pay(hold),
        }),
        // Offered only before a Checkout started: paying both ways would charge twice.
        walletPayment.control(hold),
      );
    }
    actions.append(el('button', { type: 'button', className: 'release', textContent: 'Release', onclick: () => release(hold) }));
    return el(
      'li',
      { className: 'hold', data: { holdId: hold.id, status: hold.status } },
      el('span', {
        className: 'what',
        textContent: `${resourceName(hold.resourceId)} · ${listDates(hold.dates)} · ${money(hold.amount, hold.currency)}`,
      }),
      el('span', {
        className: 'countdown',
        data: { expires: hold.expiresAt },
        title: `until ${new Date(hold.expiresAt).toLocaleTimeString()}`,
      }),
      actions,
    );
  }

  function draw() {
    const live = holds.filter(isLive);
    const signature = JSON.stringify([live, [...checkouts], local(), walletPayment.accounts]);
    if (signature !== drawn) {
      drawn = signature;
      $('hold-list').replaceChildren(
        ...(live.length ? live.map(row) : [el('li', { className: 'empty', textContent: 'No holds. Click a free date to hold it.' })]),
      );
    }
    tick();
    onChange(live);
  }

  /** Runs every second: the countdowns; a hold that just lapsed says so and the list reloads. */
  function tick() {
    for (const clock of document.querySelectorAll('#hold-list .countdown')) {
      const left = new Date(clock.dataset.expires).getTime() - Date.now();
      const item = clock.closest('.hold');
      if (left > 0) {
        clock.textContent = `${countdown(left)} left`;
      } else if (!item.dataset.expired) {
        item.dataset.expired = 'true';
        clock.textContent = 'expired: its dates are free again';
        item.querySelectorAll('button.pay, button.pay-wallet, button.simulate').forEach((button) => (button.disabled = true));
        setTimeout(() => refresh().catch(() => {}), 1000);
      }
    }
  }
  setInterval(tick, 1000);

  const refresh = latestOnly(
    () => gql(PageMyHolds),
    (data) => {
      holds = data.myHolds.edges.map((edge) => edge.node);
      draw();
    },
  );

  function replace(hold) {
    holds = [hold, ...holds.filter((known) => known.id !== hold.id)];
    draw();
  }

  async function hold(resourceId, date) {
    const name = resourceName(resourceId, true);
    say(`Holding ${date}…`);
    try {
      const input = { resourceId, dates: [date], idempotencyKey: idempotencyKey() };
      const { holdDates } = await mutate(PageHoldDates, { input }, { onRetry: retrying });
      if (holdDates.__typename === 'DatesHeld') {
        replace(holdDates.hold);
        const until = new Date(holdDates.hold.expiresAt).toLocaleTimeString();
        say(`Held ${name} on ${date} until ${until}. Pay for it under "My holds" before then.`);
      } else {
        say(`Sorry, ${listDates(holdDates.dates)} is no longer available: someone else has it. Pick another date.`, true);
      }
    } catch (error) {
      say(humanError(error), true);
    }
  }

  async function pay(hold) {
    say('Opening Stripe Checkout…');
    try {
      const input = { holdId: hold.id, idempotencyKey: idempotencyKey() };
      const { checkoutHold } = await mutate(PageCheckoutHold, { input }, { onRetry: retrying });
      if (checkoutHold.__typename === 'CheckoutStarted') {
        checkouts.set(hold.id, checkoutHold.checkoutUrl);
        replace(checkoutHold.hold);
        if (local()) {
          say('Checkout started. stripe-mock has no payment page: press "Simulate payment" to pay as Stripe would report it.');
        } else {
          window.open(checkoutHold.checkoutUrl, '_blank', 'noopener');
          say('Checkout opened in a new tab (or use the "Stripe Checkout" link). This page updates when Stripe confirms the payment.');
        }
      } else if (checkoutHold.__typename === 'HoldExpired') {
        replace(checkoutHold.hold);
        say(`This hold has expired, so it can no longer be paid. Hold ${listDates(hold.dates)} again if still free.`, true);
      } else {
        say('This hold is no longer yours to pay for.', true);
        await refresh();
      }
    } catch (error) {
      say(humanError(error), true);
    }
  }

  async function simulate(hold) {
    say('Simulating the payment: the server sends itself a signed checkout.session.completed…');
    try {
      await simulatePayment(hold.id);
      checkouts.delete(hold.id);
      say(`Paid: ${listDates(hold.dates)} is booked. See "My bookings".`);
      await Promise.all([refresh(), onPaid()]);
    } catch (error) {
      say(error instanceof ApiError && error.code === 'HOLD_NOT_PAYABLE' ? error.message : humanError(error), true);
      await refresh().catch(() => {});
    }
  }

  async function release(hold) {
    try {
      // Releasing is idempotent by itself (a second release answers the released hold): safe to retry.
      const { releaseHold } = await mutate(PageReleaseHold, { input: { holdId: hold.id } }, { onRetry: retrying });
      checkouts.delete(hold.id);
      replace(releaseHold);
      say(`Released ${listDates(hold.dates)}; the dates are free again.`);
    } catch (error) {
      say(humanError(error), true);
      await refresh().catch(() => {});
    }
  }

  /** The caller's accounts changed (loaded, paid from, topped up): what each hold can be paid from. */
  function setAccounts(accounts) {
    walletPayment.setAccounts(accounts);
    draw();
  }

  return { refresh, hold, setAccounts };
}
