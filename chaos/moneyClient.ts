import { setTimeout as sleep } from 'node:timers/promises';
import { DEPOSIT, TRANSFER, WITHDRAW } from '../test/support/ledger';
import { type ClientContext, send } from './gql';
import { ADMIN, type World } from './setup';

/**
 * Deposits, withdrawals and transfers over the accounts, half of the transfers touching the hot
 * account. Every amount is unique in the run (`nextAmount`), so the checker can tell which attempted
 * operation each ledger entry or transfer in the database came from.
 */
export async function runMoneyClient(ctx: ClientContext, world: World, index: number, stopAt: number, nextAmount: () => number) {
  const { random } = ctx;
  for (let n = 0; Date.now() < stopAt; n += 1) {
    const key = `money-${index}-${n}`;
    const roll = random.next();
    const account = random.chance(0.3) ? world.hot : random.pick(world.accounts);
    if (roll < 0.15) {
      await send(
        ctx,
        {
          kind: 'deposit',
          userId: ADMIN,
          role: 'admin',
          query: DEPOSIT,
          variables: { input: { accountId: account.id, amount: 50_000 + nextAmount(), idempotencyKey: key } },
        },
        index,
      );
    } else if (roll < 0.4) {
      await send(
        ctx,
        {
          kind: 'withdraw',
          userId: account.ownerId,
          query: WITHDRAW,
          variables: { input: { accountId: account.id, amount: nextAmount(), idempotencyKey: key } },
        },
        index,
      );
    } else {
      let from = random.pick(world.accounts);
      let to = world.hot;
      if (random.chance(0.5)) [from, to] = [to, from];
      if (from.id === to.id || random.chance(0.3)) to = random.pick(world.accounts.filter((a) => a.id !== from.id));
      await send(
        ctx,
        {
          kind: 'transfer',
          userId: from.ownerId,
          query: TRANSFER,
          variables: { input: { fromAccountId: from.id, toAccountId: to.id, amount: nextAmount(), idempotencyKey: key } },
        },
        index,
      );
    }
    await sleep(random.between(20, 150));
  }
}
