// The sandbox's remote controls for the App IO simulator, outside IO's /api/v1 paths: an e2e test
// or a developer can start an outage and read what IO accepted, without being in the process.
import { Hono } from 'hono'
import { outageControl } from '../../simulator/outage.ts'
import type { AppIoSimulator } from './app.ts'

export function simulatorControls(simulator: AppIoSimulator): Hono {
  const controls = outageControl(new Hono(), simulator)
  controls.get('/accepted', (c) =>
    c.json({ accepted: simulator.accepted.map((m) => ({ id: m.id, at: m.at, fiscalCode: m.fiscalCode, subject: m.body.content.subject })) }),
  )
  return controls
}
