// The wallet: the caller's accounts (balance, and of it what is available and what reserved),
// recent ledger entries, a transfer form; each account live from the accountUpdates subscription,
// so money received from anyone appears as it is committed.
import { ApiError, gql, humanError, idempotencyKey, mutate } from './api.js';
import { PageAccountUpdates, PageLedgerEntries, PageMyAccounts, PageOpenAccount, PageTransfer } from './operations.js';
import { $, el, latestOnly, money, parseMoney, say } from './ui.js';

const KINDS = { DEPOSIT: 'deposit', WITHDRAWAL: 'withdrawal', TRANSFER_DEBIT: 'transfer out', TRANSFER_CREDIT: 'transfer in' };
const SHOWN_ENTRIES = 8;

const short = (id) => `…${id.slice(-6)}`;
const tell = (text, bad = false) => say(text, bad, 'wallet-message');

/** The newest entries of both lists, each once. */
function newestEntries(shown, more) {
  const byId = new Map([...shown, ...more].map((entry) => [entry.id, entry]));
  return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, SHOWN_ENTRIES);
}

/** Of two states of one account, the newer: `version` grows with every change (equal: the later reading). */
const newer = (known, incoming) => (known && known.version > incoming.version ? known : incoming);

/**
 * `live` is the page's live connection (web/live.js). `onChange(accounts)` runs with the caller's
 * accounts after each load and each live update (holds offer them to pay from).
 */
export function createWallet({ live, onChange = () => {} }) {
  let accounts = [];
  let entries = [];
  /** accountId → unsubscribe, for every account shown. */
  const watching = new Map();

  async function load() {
    const { myAccounts } = await gql(PageMyAccounts);
    const mine = myAccounts.edges.map((edge) => edge.node);
    const pages = await Promise.all(mine.map((account) => gql(PageLedgerEntries, { accountId: account.id })));
    const entries = pages
      .flatMap((page) => page.ledgerEntries.edges.map((edge) => edge.node))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, SHOWN_ENTRIES);
    return { accounts: mine, entries };
  }

  function draw(data) {
    const shown = new Map(accounts.map((account) => [account.id, account]));
    accounts = data.accounts.map((account) => newer(shown.get(account.id), account));
    const ids = new Set(accounts.map((account) => account.id));
    entries = newestEntries(
      entries.filter((entry) => ids.has(entry.accountId)),
      data.entries,
    );
    render();
    watchAll();
  }

  /** A committed transaction's change to one account (or, with `reset`, its state now). */
  function applyUpdate(update) {
    const index = accounts.findIndex((account) => account.id === update.account.id);
    if (index < 0) return;
    const before = accounts[index];
    accounts[index] = newer(before, update.account);
    entries = newestEntries(entries, update.entries);
    render();
    // A reset carries no entries: when the account moved since it was loaded (changes while the
    // socket was away that the server could no longer replay), reload the entries too.
    if (update.reset && update.account.version !== before.version) refresh().catch(() => {});
  }

  function watchAll() {
    const ids = new Set(accounts.map((account) => account.id));
    for (const [id, stop] of watching) {
      if (ids.has(id)) continue;
      stop();
      watching.delete(id);
    }
    for (const id of ids) {
      if (watching.has(id)) continue;
      watching.set(
        id,
        live.watch(PageAccountUpdates, { accountId: id }, { onMessage: applyUpdate, onError: (error) => tell(humanError(error), true) }),
      );
    }
  }

  function render() {
    const currencyOf = new Map(accounts.map((account) => [account.id, account.currency]));
    $('account-list').replaceChildren(
      ...(accounts.length
        ? accounts.map((account) =>
            el(
              'li',
              {
                className: 'account',
                data: {
                  accountId: account.id,
                  balance: String(account.balance),
                  available: String(account.available),
                  reserved: String(account.reserved),
                },
              },
              el('code', { className: 'id', textContent: account.id, title: 'give this id to whoever pays you' }),
              el('span', { className: 'balance', textContent: `balance ${money(account.balance, account.currency)}` }),
              el('span', { className: 'available', textContent: `available ${money(account.available, account.currency)}` }),
              // Reserved: held by authorizations (money set aside for a hold, say) until captured or lapsed.
              account.reserved > 0 &&
                el('span', { className: 'reserved', textContent: `reserved ${money(account.reserved, account.currency)}` }),
            ),
          )
        : [el('li', { className: 'empty', textContent: 'No account yet: open one below.' })]),
    );
    $('entry-list').replaceChildren(
      ...(entries.length ? [] : [el('li', { className: 'empty', textContent: 'No entries yet.' })]),
      ...entries.map((entry) => {
        const currency = currencyOf.get(entry.accountId);
        return el(
          'li',
          { className: 'entry', data: { kind: entry.kind } },
          el('time', { dateTime: entry.createdAt, textContent: new Date(entry.createdAt).toLocaleString() }),
          el('span', { textContent: `${KINDS[entry.kind] ?? entry.kind} (${short(entry.accountId)})` }),
          el('span', { className: entry.amount < 0 ? 'amount out' : 'amount in', textContent: money(entry.amount, currency) }),
          el('span', { className: 'after', textContent: `balance ${money(entry.balanceAfter, currency)}` }),
        );
      }),
    );
    const from = $('transfer-from');
    const chosen = from.value;
    from.replaceChildren(
      ...accounts.map((account) =>
        el('option', { value: account.id, textContent: `${short(account.id)} (${money(account.available, account.currency)} available)` }),
      ),
    );
    if (accounts.some((account) => account.id === chosen)) from.value = chosen;
    onChange(accounts);
  }

  const refresh = latestOnly(load, draw);

  /** Fresh key per submit; the same key on every retry of that submit, so it moves money at most once. */
  async function transfer(event) {
    event.preventDefault();
    const source = accounts.find((account) => account.id === $('transfer-from').value);
    if (!source) return tell('Open an account first: you need one to send from.', true);
    const amount = parseMoney($('transfer-amount').value, source.currency);
    if (amount === undefined) return tell(`Enter an amount like 12.50 (${source.currency}).`, true);
    const toAccountId = $('transfer-to').value.trim();
    if (!toAccountId) return tell('Enter the id of the account to send to.', true);
    const memo = $('transfer-memo').value.trim();
    const input = { fromAccountId: source.id, toAccountId, amount, idempotencyKey: idempotencyKey(), ...(memo ? { memo } : {}) };
    const button = $('transfer-send');
    button.disabled = true;
    tell(`Sending ${money(amount, source.currency)}…`);
    try {
      const { transfer: result } = await mutate(
        PageTransfer,
        { input },
        { onRetry: () => tell('Connection trouble; sending again with the same key, so it is sent once…') },
      );
      if (result.__typename === 'TransferCompleted') {
        tell(`Sent ${money(amount, source.currency)} to ${short(toAccountId)}.`);
        $('transfer-form').reset();
      } else if (result.__typename === 'InsufficientFunds') {
        tell(
          `Insufficient funds: account ${short(source.id)} has less than ${money(amount, source.currency)} available. Nothing was sent.`,
          true,
        );
      } else if (result.__typename === 'CurrencyMismatch') {
        tell(
          `That account holds ${result.toCurrency} and yours ${result.fromCurrency}; a transfer needs the same currency. Nothing was sent.`,
          true,
        );
      } else {
        tell(`No account has the id ${result.accountId}. Check it and try again; nothing was sent.`, true);
      }
    } catch (error) {
      const field = error instanceof ApiError && /^toAccountId: must differ/.test(error.message);
      tell(field ? 'Pick another account to send to: this one is the one you send from.' : humanError(error), true);
    } finally {
      button.disabled = false;
      await refresh().catch(() => {});
    }
  }

  async function open(event) {
    event.preventDefault();
    const currency = $('open-currency').value.trim().toUpperCase();
    try {
      // Not retried: openAccount has no idempotency key, and a retry could open a second account.
      const { openAccount } = await gql(PageOpenAccount, { input: { currency } });
      tell(`Opened account ${openAccount.id} in ${openAccount.currency}.`);
      await refresh();
    } catch (error) {
      tell(humanError(error), true);
    }
  }

  $('transfer-form').addEventListener('submit', transfer);
  $('open-form').addEventListener('submit', open);
  return {
    refresh,
    /** Whether some account has money reserved: an authorization lapses by time, with no transaction to announce it. */
    get reserving() {
      return accounts.some((account) => account.reserved > 0);
    },
  };
}
