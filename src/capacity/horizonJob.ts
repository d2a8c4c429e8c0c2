import type { Collection } from 'mongodb';
import { type BackgroundJobSettings, leasedJob } from '../locks';
import type { DateSlotDoc, ResourceDoc } from './collections';
import { horizonDates, type SlotHorizon } from './slotHorizon';

const SLOT_HORIZON_LOCK = 'slot-horizon';

export interface HorizonJobOptions extends BackgroundJobSettings {
  resources: Collection<ResourceDoc>;
  slots: Collection<DateSlotDoc>;
  createSlots: SlotHorizon['createSlots'];
}

/**
 * Keeps every resource's slots ahead of the calendar, off the request path: for each resource whose
 * horizon (`horizonDates`) is not complete it creates the missing slots, with the same creation as
 * `ensureSlots` (`createSlots`: in a transaction that writes the resource, so it conflicts with a
 * capacity or price change, see slotHorizon.ts). So the dates that turn holdable each day have their
 * slots before anyone holds them, and a resource made before slots were created with it (no slots
 * at all) gets its whole horizon. Runs on every instance, first right at start; the lease lock has
 * one of them work at a time. The lock only spreads the work: creation is correct without it.
 */
export function slotHorizonJob(options: HorizonJobOptions) {
  const { resources, slots, createSlots, clock } = options;
  const batchSize = options.batchSize ?? 100;

  /** One pass over every resource; answers how many slots it created. */
  async function extend(keep: () => Promise<boolean>): Promise<number> {
    const dates = horizonDates(clock.now());
    const inRange = { $gte: dates[0], $lte: dates[dates.length - 1] };
    let created = 0;
    let checked = 0;
    for await (const { _id } of resources.find({}, { projection: { _id: 1 } }).sort({ _id: 1 })) {
      // A superseded holder stops; the new one makes the same pass.
      if (checked++ % batchSize === 0 && !(await keep())) break;
      // One counted index range per resource; only a short one opens a transaction.
      if ((await slots.countDocuments({ resourceId: _id, date: inRange })) < dates.length) created += await createSlots(_id, dates);
    }
    if (created > 0) options.logger.info({ created }, 'slot horizon extended');
    return created;
  }

  // locks, logger, intervalMs and onRun as configured; a pass over many resources may take a while.
  const { runOnce, ...lifecycle } = leasedJob({
    ...options,
    lockName: SLOT_HORIZON_LOCK,
    leaseMs: options.leaseMs ?? 120_000,
    runAtStart: true,
    idle: 0,
    run: (_lease, keep) => extend(keep),
  });
  /** `extendOnce` answers how many slots this pass created (0 when another instance holds the lock); `start`, `stop`, `owner`. */
  return { ...lifecycle, extendOnce: runOnce };
}
