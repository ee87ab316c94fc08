// The /__sim/outage control every simulator offers in the sandbox: POST {"ms": 0..3600000} makes the
// simulator answer 503 that long (0 ends it), so a person or an e2e test can watch Snodo ride it out.
import type { Hono } from 'hono'

export function outageControl(controls: Hono, simulator: { outage(ms: number): { end(): void } }): Hono {
  let current: { end(): void } | undefined
  controls.post('/outage', async (c) => {
    const { ms } = (await c.req.json().catch(() => ({}))) as { ms?: unknown }
    if (typeof ms !== 'number' || ms < 0 || ms > 3_600_000) return c.json({ error: 'send {"ms": 0..3600000}' }, 400)
    current?.end()
    current = ms === 0 ? undefined : simulator.outage(ms)
    return c.json({ outageMs: ms })
  })
  return controls
}
