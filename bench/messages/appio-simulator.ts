// Part 1's App IO: Snodo's own simulator (createAppIoSimulator, processing delay 0: a message's status
// is final at the first look) served on loopback by startSimulator, in its own process, so it shares
// no event loop with a worker. Prints {"port"} once it listens.
import { createAppIoSimulator } from '../../src/adapters/appio/simulator/app.ts'
import { createSimulatorContext, startSimulator } from '../../src/adapters/simulator/harness.ts'

const context = createSimulatorContext({ idPrefix: 'bench' })
const simulator = createAppIoSimulator(context, { services: [{ apiKey: process.env.BENCH_IO_KEY as string }], processingDelayMs: 0 })
const running = await startSimulator(simulator.app)
// Its logs (every request, every answer, every message accepted) only grow: emptied every second so the
// heap stays the same size through the rounds. Both workers pay the same simulator either way.
setInterval(() => {
  context.received.length = 0
  simulator.answers.length = 0
  simulator.accepted.length = 0
}, 1_000).unref()
console.log(JSON.stringify({ port: Number(new URL(running.url).port) }))

const stop = () => void running.close().finally(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop) // the orchestrator died: do not linger
process.stdin.resume()
