// bufferAnswer reads an answer once and keeps everything else about it; addAnswerHeaders adds to it.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { addAnswerHeaders, type BufferedAnswer, bufferAnswer } from './buffered-answer.ts'

function appWith(route: (app: Hono) => void) {
  const app = new Hono()
  const seen: BufferedAnswer[] = []
  app.use(async (c, next) => {
    c.header('x-before', 'kept') // set before the route: must survive the buffering
    await next()
    seen.push(await bufferAnswer(c))
    seen.push(await bufferAnswer(c)) // the second call must not read the (consumed) body again
    addAnswerHeaders(c, { 'x-after': 'added' })
  })
  route(app)
  return { app, seen }
}

describe('bufferAnswer', () => {
  it('reads the bytes once and keeps status and headers; addAnswerHeaders adds to them', async () => {
    const { app, seen } = appWith((app) => app.post('/x', (c) => c.json({ città: 'Roma' }, 201, { location: '/x/1' })))
    const res = await app.request('/x', { method: 'POST' })
    expect(res.status).toBe(201)
    expect(await res.text()).toBe('{"città":"Roma"}')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('location')).toBe('/x/1')
    expect(res.headers.get('x-before')).toBe('kept')
    expect(res.headers.get('x-after')).toBe('added')
    expect(seen[1]).toBe(seen[0])
    expect(new TextDecoder().decode(seen[0]?.body)).toBe('{"città":"Roma"}')
    expect(seen[0]?.headers['content-type']).toMatch(/^application\/json/)
  })

  it('an answer without a body (204) stays without one', async () => {
    const { app, seen } = appWith((app) => app.delete('/x', (c) => c.body(null, 204)))
    const res = await app.request('/x', { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(res.body).toBeNull()
    expect(res.headers.get('x-after')).toBe('added')
    expect(seen[0]?.body.byteLength).toBe(0)
  })

  it('keeps every Set-Cookie header', async () => {
    const { app } = appWith((app) =>
      app.get('/x', (c) => {
        c.header('set-cookie', 'a=1', { append: true })
        c.header('set-cookie', 'b=2', { append: true })
        return c.text('ok')
      }),
    )
    const res = await app.request('/x')
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(res.headers.get('x-after')).toBe('added')
    expect(await res.text()).toBe('ok')
  })
})
