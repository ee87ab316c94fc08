// A test app served over a real socket by @hono/node-server, as `npm start` serves it: what only the
// wire shows (a body stream on every non-GET request, real headers, raw bytes) is tested there.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

type Fetch = Parameters<typeof serve>[0]['fetch']

export async function serveOnLoopback(fetch: Fetch): Promise<{ origin: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({ origin: `http://127.0.0.1:${info.port}`, close: () => new Promise<void>((done) => server.close(() => done())) })
    })
  })
}
