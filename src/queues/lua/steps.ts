// The processor's one script: a run of its steps (claims before sends, finishes after them) that
// were asked for together, each step atomic as the whole run is. Under load many jobs start or end
// on the sockets read in one event-loop turn: one script run for them costs the worker one command
// and Redis one script call instead of one each (delivery-store.ts batches them, redis/batch.ts).
import { batchDispatchLua } from '../../redis/batch.ts'
import { bucketLua } from './bucket.ts'
import { circuitLua } from './circuit.ts'
import { claimLua } from './claim.ts'
import { finishLua } from './finish.ts'
import { pauseLua } from './pause.ts'
import { recordLua } from './record.ts'

/** ARGV: a run of [step name ('claim' or 'finish'), argument count, its arguments…] (redis/batch.ts). */
export const stepsLua = `${recordLua}${pauseLua}${circuitLua}${bucketLua}${claimLua}${finishLua}${batchDispatchLua('{claim = claim, finish = finish}')}`
