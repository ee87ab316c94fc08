// Parts 2–4, Snodo side: the worker role as `node src/main.ts --role worker` runs it (startWorkers:
// the webhooks worker at concurrency 50, the replay-batch worker, the sweeper). Prints {"ready"} once
// its BullMQ workers are connected; the orchestrator keeps the queue paused until it starts timing.
import { startWorkers } from '../../src/workers.ts'
import { benchDeps } from './snodo-config.ts'

const deps = await benchDeps('worker')
const workers = await startWorkers(deps)
console.log(JSON.stringify({ ready: true }))

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await workers.close()
  await deps.close()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.stdin.on('end', () => void stop())
process.stdin.resume()
