// The sandbox's remote control for the protocollo simulator, outside its SOAP path: an e2e test or a
// developer reads what was registered (one row per Protocollazione that got a number: E or U, and the
// protocol it follows for a later step's documents), from outside the process. Mounted in front of the simulator, so it answers whatever trouble the SOAP side is in.
import { Hono } from 'hono'
import type { ProtocolloSimulator } from './app.ts'

export function protocolloSimulatorControls(simulator: Pick<ProtocolloSimulator, 'registrations'>): Hono {
  // The Segnatura stays out: it names the applicant, and the correlation key is what finds a practice.
  return new Hono().get('/registrations', (c) =>
    c.json({
      registrations: simulator.registrations.map(({ number, year, date, correlationKey, documentIds, flusso, precedent }) => ({
        number,
        year,
        date,
        correlationKey,
        documentIds,
        flusso,
        ...(precedent ? { precedent } : {}),
      })),
    }),
  )
}
