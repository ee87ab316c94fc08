// Part 1's protocollo: the sandbox's own simulator (createProtocolloSimulator: DOCAREA-shaped, Login →
// Inserimento → Protocollazione, the soap library's server behind Hono) served on loopback by
// startSimulator, in its own process. Prints {"port", "settings", "env"} once it listens: the docarea
// profile settings pointing at it (settingsFor) and the credentials they name.
import { createProtocolloSimulator } from '../../src/adapters/protocollo/simulator/app.ts'
import { createSimulatorContext, startSimulator } from '../../src/adapters/simulator/harness.ts'

const context = createSimulatorContext({ idPrefix: 'bench' })
const simulator = createProtocolloSimulator(context)
const running = await startSimulator(simulator.app)
// Its logs and stores (every request body, every 1 MB document inserted) only grow: the request log is
// emptied every second; documents and registrations when the orchestrator says so between rounds
// ("clear" on stdin), since a Protocollazione must find the documents its Inserimento stored.
setInterval(() => void (context.received.length = 0), 1_000).unref()
process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
  if (!chunk.includes('clear')) return
  const problems = simulator.problems.splice(0)
  const registered = simulator.registrations.splice(0).length
  simulator.documents.clear()
  process.stdout.write(`${JSON.stringify({ registered, problems })}\n`)
})
console.log(JSON.stringify({ port: Number(new URL(running.url).port), settings: simulator.settingsFor(running.url), env: simulator.env }))

const stop = () => void running.close().finally(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop) // the orchestrator died: do not linger
process.stdin.resume()
