// The sandbox's remote controls for the App IO simulator, outside IO's /api/v1 paths: an e2e test
// or a developer can start an outage and read what IO accepted, without being in the process.
import { Hono } from 'hono'
import type { AppIoSimulator } from './app.ts'

export function simulatorControls(simulator: AppIoSimulator): Hono {
  const controls = new Hono()
  let current: { end(): void } | undefined
  controls.post('/outage', async (c) => {
    const { ms } = (await c.req.json().catch(() => ({}))) as { ms?: unknown }
    if (typeof ms !== 'number' || ms < 0 || ms > 3_600_000) return c.json({ error: 'send {"ms": 0..3600000}' }, 400)
    current?.end()
    current = ms === 0 ? undefined : simulator.outage(ms)
    return c.json({ outageMs: ms })
  })
  controls.get('/accepted', (c) => c.json({ accepted: simulator.accepted.map((m) => ({ id: m.id, at: m.at, fiscalCode: m.fiscalCode, subject: m.body.content.subject })) }))
  return controls
}
