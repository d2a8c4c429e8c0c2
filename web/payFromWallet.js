// "Pay from wallet" on a held hold: which of my accounts can pay it (the hold's currency, enough
// available), the control offering them, and payHold with each of its outcomes said in words.
import { humanError, idempotencyKey, mutate } from './api.js';
import { PagePayHold } from './operations.js';
import { el, money, say } from './ui.js';

const short = (id) => `…${id.slice(-6)}`;
const retrying = () => say('Connection trouble; paying again with the same key, so it is paid once…');

/** Why a hold the server would not take payment for cannot be paid (paid already, say, in another tab). */
function lapsedWords(hold, dates) {
  if (hold.status === 'CONFIRMED') return `This hold is paid already: ${dates} is booked. See "My bookings".`;
  if (hold.status === 'RELEASED') return `This hold was released, so it can no longer be paid. Hold ${dates} again if still free.`;
  return `This hold has expired, so it can no longer be paid. Hold ${dates} again if still free.`;
}

/**
 * `onPaid()` runs after a hold was booked, `onLapsed(hold)` with a hold that can no longer be paid,
 * `onGone()` when it is no longer the caller's, `onWalletChanged()` after every attempt (money moved,
 * or what the page knows of it was stale).
 */
export function createWalletPayment({ onPaid, onLapsed, onGone, onWalletChanged }) {
  let accounts = [];
  /** holdId → the account chosen in its select, kept across redraws. */
  const chosen = new Map();
  /** Holds being paid: a click on a button redrawn meanwhile (the wallet reloads) is not a second payment. */
  const paying = new Set();

  function payButton(hold, account, disabled = false) {
    const button = el('button', { type: 'button', className: 'pay-wallet', textContent: 'Pay from wallet', disabled });
    button.onclick = () => pay(hold, account(), button);
    return button;
  }

  /** The control for one hold's row: a button, a select and a button, or a note saying why not. */
  function control(hold) {
    const mine = accounts.filter((account) => account.currency === hold.currency);
    const need = money(hold.amount, hold.currency);
    if (mine.length === 0) {
      return el('small', { className: 'note wallet-note', textContent: `No ${hold.currency} account in your wallet to pay from.` });
    }
    const enough = mine.filter((account) => account.available >= hold.amount);
    if (enough.length === 0) {
      const most = Math.max(...mine.map((account) => account.available));
      return el(
        'span',
        { className: 'wallet-pay' },
        payButton(hold, () => mine[0], true),
        el('small', {
          className: 'note wallet-note',
          textContent: `Not enough available in the wallet: ${money(most, hold.currency)} available, ${need} needed.`,
        }),
      );
    }
    if (enough.length === 1) {
      const [account] = enough;
      return el(
        'span',
        { className: 'wallet-pay' },
        payButton(hold, () => account),
        el('small', {
          className: 'note wallet-note',
          textContent: `from ${short(account.id)}, ${money(account.available, hold.currency)} available`,
        }),
      );
    }
    const select = el(
      'select',
      { className: 'wallet-account', onchange: () => chosen.set(hold.id, select.value) },
      ...enough.map((account) =>
        el('option', {
          value: account.id,
          textContent: `${short(account.id)} (${money(account.available, hold.currency)} available)`,
        }),
      ),
    );
    if (enough.some((account) => account.id === chosen.get(hold.id))) select.value = chosen.get(hold.id);
    return el(
      'span',
      { className: 'wallet-pay' },
      el('label', {}, 'From ', select),
      payButton(hold, () => enough.find((account) => account.id === select.value) ?? enough[0]),
    );
  }

  /** What payHold answered, in words, and what it changes on the page. */
  async function answered(result, hold, account) {
    const amount = money(hold.amount, hold.currency);
    const dates = hold.dates.join(', ');
    switch (result.__typename) {
      case 'BookingConfirmed':
        say(`Paid ${amount} from your wallet (account ${short(account.id)}): ${dates} is booked. See "My bookings".`);
        // Paid: a list that fails to reload now must not read as a failed payment; the next poll redraws it.
        return onPaid().catch(() => {});
      case 'InsufficientFunds':
        return say(
          `Not enough available in the wallet: account ${short(result.accountId)} has less than ${money(result.requested, hold.currency)} available. Nothing was paid; the hold is still yours.`,
          true,
        );
      case 'HoldExpired':
        onLapsed(result.hold);
        say(lapsedWords(result.hold, dates), result.hold.status !== 'CONFIRMED');
        return result.hold.status === 'CONFIRMED' ? onPaid().catch(() => {}) : undefined;
      case 'HoldNotFound':
        say('This hold is no longer yours to pay for.', true);
        return onGone().catch(() => {});
      case 'CurrencyMismatch':
        return say(`Account ${short(account.id)} holds ${account.currency} and this hold costs ${hold.currency}. Nothing was paid.`, true);
      case 'AccountNotFound':
        return say(`Account ${short(result.accountId)} is not one of yours any more. Nothing was paid.`, true);
      default:
        return say(`The server answered ${result.__typename}, which this page does not know. Reload it.`, true);
    }
  }

  /** One click, one fresh key; `mutate` sends that same key again after a network error, so it pays once. */
  async function pay(hold, account, button) {
    if (paying.has(hold.id)) return;
    paying.add(hold.id);
    button.disabled = true;
    say(`Paying ${money(hold.amount, hold.currency)} from account ${short(account.id)}…`);
    try {
      const input = { holdId: hold.id, accountId: account.id, idempotencyKey: idempotencyKey() };
      const { payHold } = await mutate(PagePayHold, { input }, { onRetry: retrying });
      await answered(payHold, hold, account);
    } catch (error) {
      say(humanError(error), true);
    } finally {
      paying.delete(hold.id);
      button.disabled = false;
      await onWalletChanged().catch(() => {});
    }
  }

  return {
    /** The caller's accounts, as the wallet last loaded them. */
    setAccounts(list) {
      accounts = list;
    },
    get accounts() {
      return accounts;
    },
    control,
  };
}
