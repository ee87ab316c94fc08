// /docs renders the v1 contract in a real browser, with every asset served by Snodo itself.

import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ServerType, serve } from '@hono/node-server'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchChromium } from './support/browser.ts'
import { createTestApp, type TestApp } from './support/test-app.ts'

let t: TestApp
let server: ServerType
let baseUrl: string
let browser: Browser

beforeAll(async () => {
  t = await createTestApp()
  await new Promise<void>((ready) => {
    server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      baseUrl = `http://127.0.0.1:${info.port}`
      ready()
    })
  })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  server?.close()
  await t.close()
})

it('shows the operations of openapi/snodo.v1.yaml without fetching anything from another host', async () => {
  const page = await browser.newPage()
  const foreignHosts: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.protocol.startsWith('http') && url.host !== new URL(baseUrl).host) foreignHosts.push(url.host)
  })
  await page.goto(`${baseUrl}/docs`)
  await page.getByRole('heading', { name: 'Snodo v1' }).first().waitFor({ state: 'visible', timeout: 30_000 })
  expect(await page.title()).toBe('Snodo v1')
  await page.getByText('diagnostics').first().click()
  await page.getByText('Check your signing').first().waitFor({ state: 'visible' })
  await page.screenshot({ path: join(tmpdir(), 'snodo-docs.png') }) // for a person to look at
  expect([...new Set(foreignHosts)]).toEqual([])
})
