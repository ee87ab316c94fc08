// The registering call of a practice (or of a step's documents) is marked on the practice just before
// it goes out, and the mark cleared if the call fails (the adapter has classified that outcome). A
// success is recorded by the caller, which makes the mark moot; if that record never lands, the mark
// still says the call may have registered. A later attempt of the same run (same replay) that finds
// the mark knows an earlier one stopped inside the call — a killed worker, a lock taken over — with
// an outcome nobody saw: the protocollo adapter then searches first, or refuses to register blindly
// (backoffice/FACTS.md §3.10: no vendor is idempotent). An operator's replay starts a new run.
import type { PracticeToRegister } from '../adapters/protocollo/port.ts'
import { throughOutage } from '../queues/through-outage.ts'
import type { PracticeStore, StoredPractice } from './practice.ts'

type Marks = Pick<PracticeStore, 'setFields'>
type Guard = Pick<PracticeToRegister, 'interrupted' | 'beforeCommit'>

/** Runs `register` with the guard for mark `field` of `practice` (as read by this attempt). */
export async function underRegistrationMark<T>(
  practices: Marks,
  practice: StoredPractice,
  field: string,
  run: { replays: number; attempt: number },
  register: (guard: Guard) => Promise<T>,
): Promise<T> {
  const found = practice.fields[field] ?? ''
  const guard = {
    interrupted: found.startsWith(`${run.replays}:`),
    beforeCommit: () => practices.setFields(practice.id, { [field]: `${run.replays}:${run.attempt}` }),
  }
  try {
    return await register(guard)
  } catch (error) {
    await throughOutage(() => practices.setFields(practice.id, { [field]: '' }))
    throw error
  }
}
