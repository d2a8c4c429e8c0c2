import { addDays, todayUtc } from '../../src/calendar';
import type { TestApp } from './app';

export const CREATE_RESOURCE = `mutation($input: CreateResourceInput!) {
  createResource(input: $input) { id name capacity pricePerDate currency }
}`;

export const HOLD_DATES = `mutation($input: HoldDatesInput!) {
  holdDates(input: $input) {
    __typename
    ... on DatesHeld { hold { id resourceId userId dates expiresAt amount currency status } }
    ... on DatesUnavailable { dates }
  }
}`;

export const RELEASE_HOLD = `mutation($input: ReleaseHoldInput!) {
  releaseHold(input: $input) { id status dates }
}`;

export const AVAILABILITY = `query($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availability(resourceId: $resourceId, from: $from, to: $to) { date remaining status }
}`;

export async function createResource(
  app: TestApp,
  input: Partial<{ name: string; capacity: number; pricePerDate: number; currency: string }> = {},
) {
  const admin = await app.token('admin-1', 'admin');
  const response = await app.gql(admin, CREATE_RESOURCE, {
    input: { name: 'Lake cabin', capacity: 1, pricePerDate: 12_500, currency: 'EUR', ...input },
  });
  if (!response.data) throw new Error(`createResource failed: ${JSON.stringify(response.errors)}`);
  return response.data.createResource as { id: string; capacity: number; pricePerDate: number; currency: string };
}

/** A date `days` after today on the app's clock. */
export function dayFromToday(app: TestApp, days: number): string {
  return addDays(todayUtc(app.clock.now()), days);
}

let keySeq = 0;
export function newKey(): string {
  keySeq += 1;
  return `key-${process.pid}-${Date.now()}-${keySeq}`;
}

export function holdDates(app: TestApp, token: string, resourceId: string, dates: string[], idempotencyKey = newKey()) {
  return app.gql(token, HOLD_DATES, { input: { resourceId, dates, idempotencyKey } });
}
