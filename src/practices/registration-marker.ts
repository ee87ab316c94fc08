// A registration under way is marked on the practice before the registering call, and cleared if the
// call fails (the adapter has classified that outcome); a success is recorded by the caller, which makes
// the mark moot — and if that record never lands, the mark still says the call may have registered. A later attempt of the same run (same replay) that finds the mark knows
// an earlier one stopped inside the call — a killed worker, or a lock taken over — with an outcome
// nobody saw: the protocollo adapter then searches first, or refuses to register again blindly
// (backoffice/FACTS.md §3.10: no vendor is idempotent).
import type { PracticeStore } from './practice.ts'

type Marks = Pick<PracticeStore, 'keepField' | 'setFields'>

/**
 * Runs `register` under the mark `field`; `interrupted` tells it whether an earlier attempt of this
 * run stopped inside the same call. An operator's replay starts a new run: its first attempt is not.
 */
export async function underRegistrationMark<T>(practices: Marks, practiceId: string, field: string, run: { replays: number; attempt: number }, register: (interrupted: boolean) => Promise<T>): Promise<T> {
  const mark = `${run.replays}:${run.attempt}`
  const found = await practices.keepField(practiceId, field, mark)
  const interrupted = found !== mark && found.startsWith(`${run.replays}:`)
  if (found !== mark) await practices.setFields(practiceId, { [field]: mark })
  try {
    return await register(interrupted)
  } catch (error) {
    await practices.setFields(practiceId, { [field]: '' })
    throw error
  }
}
