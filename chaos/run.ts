import { MongoClient } from 'mongodb';
import { type ChaosOptions, parseArgs } from './args';
import { runBookingClient } from './bookingClient';
import { breakOnPurpose } from './breaks';
import { checkBookings } from './checkBookings';
import { checkLedger } from './checkLedger';
import { checkReplays } from './checkReplay';
import { checkSubscriptions, checkTransactions } from './checkSubscriptions';
import { checkHeldMoney } from './checkHeldMoney';
import { FaultInjector, faultSchedule } from './faults';
import type { ClientContext } from './gql';
import { History } from './history';
import { runMoneyClient } from './moneyClient';
import { runAuthorizationClient } from './authorizationClient';
import { seededRandom } from './random';
import { formatReport, type RunFigures } from './report';
import { createWorld } from './setup';
import { Subscriber } from './subscribers';
import { DB_NAME, startTopology, type Topology } from './topology';
import { Webhooks } from './webhooks';

const BOOKING_CLIENTS = 4;
const MONEY_CLIENTS = 4;
const AUTHORIZATION_CLIENTS = 2;
const SUBSCRIBERS_PER_INSTANCE = 2;
const GIVE_UP_MS = 30_000;

const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 23)}] ${line}`);

/** One whole run: topology, load with faults, healing, checks, report. Never leaves a process behind. */
export async function runChaos(options: ChaosOptions): Promise<RunFigures> {
  const startedAt = Date.now();
  log(
    `seed ${options.seed}: ${options.durationMs / 1000} s, ${options.members} members, ${options.instances} instances${options.breakName ? `, --break ${options.breakName}` : ''}`,
  );
  let topology: Topology | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping everything`);
    void (topology?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const subscribers: Subscriber[] = [];
  let injector: FaultInjector | undefined;
  let mongo: MongoClient | undefined;
  try {
    topology = await startTopology({ members: options.members, instances: options.instances, log });
    const history = new History();
    const random = seededRandom(options.seed);
    let amountSeq = 0;
    const nextAmount = () => (amountSeq += 1);
    const context = (stream: number, deadline: number): ClientContext => ({
      topology: topology!,
      history,
      random: seededRandom(options.seed * 31 + stream),
      deadline,
      giveUpMs: GIVE_UP_MS,
    });
    const world = await createWorld(context(0, Date.now() + 60_000), nextAmount);
    const dropEvents = options.breakName === 'subscription';
    for (const [i, instance] of topology.instances.entries()) {
      for (let s = 0; s < SUBSCRIBERS_PER_INSTANCE; s += 1) {
        const resource = world.resources[s % 2];
        const subscriber = new Subscriber(
          `i${i}-r${s}`,
          topology,
          instance.index,
          resource.id,
          world.watched,
          (n) => dropEvents && n > 3,
          options.breakName === 'split-transaction',
        );
        subscriber.start();
        subscribers.push(subscriber);
      }
    }
    log(`world ready: ${world.resources.length} resources, ${world.accounts.length} accounts; load for ${options.durationMs / 1000} s`);

    const loadStart = Date.now();
    const stopAt = loadStart + options.durationMs;
    const hardDeadline = stopAt + GIVE_UP_MS;
    const webhooks = new Webhooks(topology, seededRandom(options.seed * 31 + 999));
    injector = new FaultInjector(topology);
    const schedule = options.faults
      ? faultSchedule(seededRandom(options.seed ^ 0x5eed), options.durationMs, options.members, options.instances)
      : [];
    log(`fault schedule: ${schedule.map((f) => `${(f.atMs / 1000).toFixed(1)}s ${f.kind}`).join(', ') || 'none'}`);
    const faultsDone = injector.run(schedule, loadStart, stopAt).then(() => log('faults done'));
    await Promise.all([
      ...Array.from({ length: BOOKING_CLIENTS }, (_, i) =>
        runBookingClient(context(100 + i, hardDeadline), world, webhooks, i, stopAt, nextAmount),
      ),
      ...Array.from({ length: MONEY_CLIENTS }, (_, i) => runMoneyClient(context(200 + i, hardDeadline), world, i, stopAt, nextAmount)),
      ...Array.from({ length: AUTHORIZATION_CLIENTS }, (_, i) =>
        runAuthorizationClient(context(300 + i, hardDeadline), world, i, stopAt, nextAmount),
      ),
      webhooks.run(stopAt),
      faultsDone,
    ]);
    void random;
    log('load over; healing and waiting for every instance to be ready');
    await injector.heal();
    await topology.waitReady(60_000);
    const undelivered = await webhooks.drain(30_000);
    // A refund, capture or void left pending by a killed sender is retried by the refund retrier (and by a redelivery of its event).
    mongo = await new MongoClient(topology.replSet.uri).connect();
    const db = mongo.db(DB_NAME);
    const pendingIds = [
      ...(await db.collection('refunds').find({ state: 'pending' }).toArray()),
      ...(await db.collection('cardAuthorizations').find({ state: 'pending' }).toArray()),
    ].map((call) => call._id);
    const pending = new Set(
      (
        await db
          .collection('bookings')
          .find({ _id: { $in: pendingIds } })
          .toArray()
      ).map((b) => b.checkoutSessionId),
    );
    await webhooks.drain(
      15_000,
      webhooks.events.filter((e) => pending.has(e.sessionId) && e.type === 'checkout.session.completed'),
    );

    const violations: string[] = [];
    if (undelivered > 0) violations.push(`${undelivered} webhook deliveries were never acknowledged after healing`);
    const broken = options.breakName ? await breakOnPurpose(options.breakName, db, history) : undefined;
    if (broken) log(`broken on purpose: ${broken}`);
    log('checking');
    const ledger = await checkLedger(db, topology, history, violations);
    const bookings = await checkBookings(db, history, webhooks, violations);
    const heldMoney = await checkHeldMoney(db, history, violations, new Date());
    // Lapsed holds become events only when swept; a killed instance may hold the sweeper's 30 s lease, so wait past it.
    await checkSubscriptions(topology, subscribers, violations, 40_000);
    checkTransactions(subscribers, violations);
    const replayed = await checkReplays(topology, history, violations);
    for (const anomaly of history.anomalies) violations.push(`product error: ${anomaly}`);
    const statuses: Record<string, number> = {};
    for (const event of webhooks.events) for (const status of event.statuses) statuses[status] = (statuses[status] ?? 0) + 1;
    return {
      options,
      history,
      faults: injector.log,
      faultCounts: injector.countsByKind(),
      ledger,
      bookings,
      heldMoney,
      replayed,
      webhookDeliveries: {
        events: webhooks.events.length,
        sends: webhooks.events.reduce((n, e) => n + e.sends, 0),
        acked: webhooks.events.filter((e) => e.acked).length,
        statuses,
      },
      subscribers: subscribers.map((s) => ({ name: s.name, connects: s.connects, events: s.events, resets: s.resets })),
      broken,
      violations,
      elapsedMs: Date.now() - startedAt,
    };
  } finally {
    await Promise.all(subscribers.map((s) => s.stop().catch(() => undefined)));
    await injector?.close();
    await mongo?.close().catch(() => undefined);
    await topology?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const options = parseArgs(process.argv.slice(2));
runChaos(options).then(
  (figures) => {
    console.log(formatReport(figures));
    process.exit(figures.violations.length > 0 ? 1 : 0);
  },
  (error) => {
    console.error(error);
    console.error(`chaos run failed to complete (seed ${options.seed})`);
    process.exit(2);
  },
);
