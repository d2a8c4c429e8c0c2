// Small DOM helpers shared by the page's modules.

export const $ = (id) => document.getElementById(id);

/** An element with properties (className, textContent, dataset entries as `data`) and children. */
export function el(tag, props = {}, ...children) {
  const { data, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  for (const [key, value] of Object.entries(data ?? {})) node.dataset[key] = value;
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** The status line under the calendar (or another one, by id): what just happened, or what went wrong. */
export function say(text, bad = false, id = 'message') {
  const line = $(id);
  line.textContent = text;
  line.className = bad ? 'bad' : '';
}

/**
 * Runs `load` and applies its result only if no later call started meanwhile, so a slow answer
 * never overwrites a newer one.
 */
export function latestOnly(load, apply) {
  let sequence = 0;
  return async (...args) => {
    sequence += 1;
    const mine = sequence;
    const result = await load(...args);
    if (mine === sequence) apply(result);
  };
}

const digitsCache = new Map();
/** Minor-unit digits of a currency (2 for EUR, 0 for JPY), as the browser's Intl knows them. */
export function fractionDigits(currency) {
  if (!digitsCache.has(currency)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      // An unknown code: assume cents.
    }
    digitsCache.set(currency, digits);
  }
  return digitsCache.get(currency);
}

/** Minor units → "€125.00". */
export function money(amount, currency) {
  const digits = fractionDigits(currency);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 10 ** digits);
  } catch {
    return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** "12.50" → 1250 minor units (exact: no floating point); undefined when it is not an amount. */
export function parseMoney(text, currency) {
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!match) return undefined;
  const digits = fractionDigits(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const units = Number(match[1] + fraction.padEnd(digits, '0'));
  return Number.isSafeInteger(units) && units > 0 ? units : undefined;
}

/** "29:59" or "1:05:00". */
export function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
