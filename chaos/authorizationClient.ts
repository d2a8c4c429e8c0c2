import { setTimeout as sleep } from 'node:timers/promises';
import { AUTHORIZE, CAPTURE, VOID } from '../test/support/ledger';
import { type ClientContext, send } from './gql';
import type { World } from './setup';

/**
 * Two-phase transfers between the accounts: authorizes (some expiring within seconds, so captures
 * race the expiry), then captures (all or part), voids, or lets each one lapse. Each authorization
 * is captured or voided at most once, so the checker can tie every capture transfer to its request.
 */
export async function runAuthorizationClient(ctx: ClientContext, world: World, index: number, stopAt: number, nextAmount: () => number) {
  const { random } = ctx;
  for (let n = 0; Date.now() < stopAt; n += 1) {
    const from = random.chance(0.3) ? world.hot : random.pick(world.accounts);
    const to = random.pick(world.accounts.filter((a) => a.id !== from.id));
    const amount = nextAmount();
    const authorized = await send(
      ctx,
      {
        kind: 'authorizeTransfer',
        userId: from.ownerId,
        query: AUTHORIZE,
        variables: {
          input: {
            fromAccountId: from.id,
            toAccountId: to.id,
            amount,
            expiresInSeconds: random.chance(0.4) ? 1 + random.int(3) : 600,
            idempotencyKey: `authorize-${index}-${n}`,
          },
        },
      },
      index,
    );
    const authorization = authorized.data?.authorizeTransfer?.authorization as { id: string } | undefined;
    if (!authorization) continue;
    await sleep(random.between(0, 2_000));
    const roll = random.next();
    if (roll < 0.5) {
      const partial = random.chance(0.3) ? 1 + random.int(amount) : undefined;
      await send(
        ctx,
        {
          kind: 'captureTransfer',
          userId: random.chance(0.5) ? from.ownerId : to.ownerId,
          query: CAPTURE,
          variables: { input: { authorizationId: authorization.id, amount: partial, idempotencyKey: `capture-${index}-${n}` } },
        },
        index,
      );
    } else if (roll < 0.8) {
      await send(
        ctx,
        {
          kind: 'voidTransfer',
          userId: from.ownerId,
          query: VOID,
          variables: { input: { authorizationId: authorization.id, idempotencyKey: `void-${index}-${n}` } },
        },
        index,
      );
    }
    await sleep(random.between(20, 150));
  }
}
