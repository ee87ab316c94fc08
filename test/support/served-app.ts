// A test app served over a real socket by @hono/node-server, as `npm start` serves it: what only the
// wire shows (a body stream on every non-GET request, real headers, raw bytes) is tested there.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createTestApp, type TestApp, type TestAppOptions } from './test-app.ts'

type Fetch = Parameters<typeof serve>[0]['fetch']

export async function serveOnLoopback(fetch: Fetch): Promise<{ origin: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({ origin: `http://127.0.0.1:${info.port}`, close: () => new Promise<void>((done) => server.close(() => done())) })
    })
  })
}

/** A test app (createTestApp) served on loopback; `close` stops the server, then the app. */
export async function serveTestApp(options?: TestAppOptions): Promise<{ t: TestApp; origin: string; close(): Promise<void> }> {
  const t = await createTestApp(options)
  const served = await serveOnLoopback(t.app.fetch)
  return {
    t,
    origin: served.origin,
    async close() {
      await served.close()
      await t.close()
    },
  }
}
