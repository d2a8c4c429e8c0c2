/**
 * A small booking client: list resources, hold dates, start a Stripe Checkout, list my bookings.
 * Every document below is typed by GraphQL Code Generator's client preset (`npm run codegen`
 * writes examples/gql/ from them), so variables and answers are checked against schema.graphql.
 *
 *   API_URL=http://localhost:4000/graphql TOKEN=$(npm run -s token -- alice) npx tsx examples/booking.ts
 *
 * Optional: RESOURCE_ID (default: the first resource) and DATE (YYYY-MM-DD, default: 30 days from today).
 */
import { randomUUID } from 'node:crypto';
import { type Api, apiFromEnv, assertNever, connect, isMain } from './client';
import { graphql } from './gql';
import type { CheckoutHoldMutation, HoldDatesMutation, MyBookingsQuery, ResourcesQuery } from './gql/graphql';

const ResourcesDocument = graphql(`
  query Resources($first: Int, $after: String) {
    resources(first: $first, after: $after) {
      edges {
        node {
          id
          name
          capacity
          pricePerDate
          currency
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const HoldDatesDocument = graphql(`
  mutation HoldDates($input: HoldDatesInput!) {
    holdDates(input: $input) {
      __typename
      ... on DatesHeld {
        hold {
          id
          resourceId
          dates
          expiresAt
          amount
          currency
          status
        }
      }
      ... on DatesUnavailable {
        dates
      }
    }
  }
`);

const CheckoutHoldDocument = graphql(`
  mutation CheckoutHold($input: CheckoutHoldInput!) {
    checkoutHold(input: $input) {
      __typename
      ... on CheckoutStarted {
        checkoutUrl
        checkoutSessionId
        hold {
          id
          expiresAt
        }
      }
      ... on HoldExpired {
        hold {
          id
          status
        }
      }
      ... on HoldNotFound {
        holdId
      }
    }
  }
`);

const MyBookingsDocument = graphql(`
  query MyBookings($first: Int, $after: String) {
    myBookings(first: $first, after: $after) {
      edges {
        node {
          id
          holdId
          resourceId
          dates
          amount
          currency
          status
          refundStatus
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export type Resource = ResourcesQuery['resources']['edges'][number]['node'];
type HoldPayload = HoldDatesMutation['holdDates'];
export type Hold = Extract<HoldPayload, { __typename: 'DatesHeld' }>['hold'];
export type Booking = MyBookingsQuery['myBookings']['edges'][number]['node'];

/** At most this many pages are read by the list helpers (100 per page). */
const MAX_PAGES = 50;

/** Every resource, oldest first, following the cursor page by page. */
export async function listResources(api: Api): Promise<Resource[]> {
  const client = connect(api);
  const all: Resource[] = [];
  let after: string | null | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { resources } = await client.request(ResourcesDocument, { first: 100, after });
    all.push(...resources.edges.map((edge) => edge.node));
    if (!resources.pageInfo.hasNextPage) break;
    after = resources.pageInfo.endCursor;
  }
  return all;
}

export type HoldOutcome = { kind: 'held'; hold: Hold } | { kind: 'unavailable'; dates: string[] };

/**
 * Claims every date or none. Someone else holding a date is an answer, not an error:
 * `DatesUnavailable` names the dates that had no capacity left. Pass the same `idempotencyKey`
 * to retry a request whose answer was lost; it replays the first answer.
 */
export async function holdDates(api: Api, input: { resourceId: string; dates: string[]; idempotencyKey?: string }): Promise<HoldOutcome> {
  const { holdDates: payload } = await connect(api).request(HoldDatesDocument, {
    input: { resourceId: input.resourceId, dates: input.dates, idempotencyKey: input.idempotencyKey ?? randomUUID() },
  });
  switch (payload.__typename) {
    case 'DatesHeld':
      return { kind: 'held', hold: payload.hold };
    case 'DatesUnavailable':
      return { kind: 'unavailable', dates: payload.dates };
    case 'InsufficientFunds':
    case 'CurrencyMismatch':
      throw new Error(`${payload.__typename} answers only a hold with \`reserveFrom\`, which this example never sends`);
    default:
      return assertNever(payload);
  }
}

type CheckoutPayload = CheckoutHoldMutation['checkoutHold'];
export type CheckoutOutcome =
  | { kind: 'started'; checkoutUrl: string; checkoutSessionId: string; payBefore: string }
  | { kind: 'expired'; holdId: string }
  | { kind: 'not-found'; holdId: string };

/** Opens (or, for a hold already in checkout, resumes) the Stripe Checkout for a hold: pay at `checkoutUrl`. */
export async function startCheckout(api: Api, holdId: string, idempotencyKey: string = randomUUID()): Promise<CheckoutOutcome> {
  const { checkoutHold } = await connect(api).request(CheckoutHoldDocument, { input: { holdId, idempotencyKey } });
  return checkoutOutcome(checkoutHold);
}

function checkoutOutcome(payload: CheckoutPayload): CheckoutOutcome {
  switch (payload.__typename) {
    case 'CheckoutStarted':
      return {
        kind: 'started',
        checkoutUrl: payload.checkoutUrl,
        checkoutSessionId: payload.checkoutSessionId,
        payBefore: payload.hold.expiresAt,
      };
    case 'HoldExpired':
      return { kind: 'expired', holdId: payload.hold.id };
    case 'HoldNotFound':
      return { kind: 'not-found', holdId: payload.holdId };
    default:
      return assertNever(payload);
  }
}

/** The caller's bookings, newest first. */
export async function listMyBookings(api: Api): Promise<Booking[]> {
  const client = connect(api);
  const all: Booking[] = [];
  let after: string | null | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { myBookings } = await client.request(MyBookingsDocument, { first: 100, after });
    all.push(...myBookings.edges.map((edge) => edge.node));
    if (!myBookings.pageInfo.hasNextPage) break;
    after = myBookings.pageInfo.endCursor;
  }
  return all;
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

export interface WalkthroughOptions {
  api: Api;
  /** The resource to hold; the first one listed by default. */
  resourceId?: string;
  /** YYYY-MM-DD; 30 days from today by default. */
  date?: string;
  log?: (line: string) => void;
}

/** What `npx tsx examples/booking.ts` does: lists resources, holds one date, starts its checkout and lists my bookings, printing each step. */
export async function walkthrough({ api, resourceId, date, log = console.log }: WalkthroughOptions): Promise<HoldOutcome | undefined> {
  const resources = await listResources(api);
  log(`${resources.length} resource(s)`);
  for (const r of resources) log(`  ${r.id}  ${r.name}  capacity ${r.capacity}  ${money(r.pricePerDate, r.currency)} per date`);
  const resource = resourceId ? resources.find((r) => r.id === resourceId) : resources[0];
  if (!resource) {
    log(resourceId ? `no resource ${resourceId}` : 'no resource to hold (an admin creates one with createResource)');
    return undefined;
  }
  const day = date ?? new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const outcome = await holdDates(api, { resourceId: resource.id, dates: [day] });
  switch (outcome.kind) {
    case 'unavailable':
      log(`${resource.name} on ${outcome.dates.join(', ')}: taken, nothing held`);
      break;
    case 'held': {
      const { hold } = outcome;
      log(
        `held ${resource.name} on ${hold.dates.join(', ')} for ${money(hold.amount, hold.currency)} until ${hold.expiresAt} (hold ${hold.id})`,
      );
      const checkout = await startCheckout(api, hold.id);
      switch (checkout.kind) {
        case 'started':
          log(`pay before ${checkout.payBefore} at ${checkout.checkoutUrl}`);
          break;
        case 'expired':
          log(`hold ${checkout.holdId} lapsed before checkout; hold the dates again`);
          break;
        case 'not-found':
          log(`hold ${checkout.holdId} is not yours`);
          break;
        default:
          assertNever(checkout);
      }
      break;
    }
    default:
      assertNever(outcome);
  }
  const bookings = await listMyBookings(api);
  log(`${bookings.length} booking(s)`);
  for (const b of bookings) {
    const refund = b.refundStatus ? `, refund ${b.refundStatus}` : '';
    log(`  ${b.id}  ${b.dates.join(', ')}  ${b.status}${refund}  ${money(b.amount, b.currency)}`);
  }
  return outcome;
}

if (isMain(import.meta.url)) {
  Promise.resolve()
    .then(() => walkthrough({ api: apiFromEnv(), resourceId: process.env.RESOURCE_ID, date: process.env.DATE }))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
