// A TCP proxy in front of a Redis that stops a process at an exact point of its work: once a command
// the test names goes by (a RESP chunk containing the text), nothing more from that process reaches
// Redis, so the test can kill -9 it there, knowing what was written and what was not.
import { connect, createServer, type Socket } from 'node:net'

export type HoldingProxy = {
  url: string
  /**
   * Holds every connection's traffic to Redis from the first chunk containing `text`: `after` forwards
   * that chunk first (its commands are written), `before` drops it. Resolves once it happened.
   */
  holdAt(text: string, when: 'before' | 'after'): Promise<void>
  /** Lets traffic through again (new connections: the held ones died with their process). */
  release(): void
  close(): Promise<void>
}

export async function startHoldingProxy(target: { host: string; port: number }): Promise<HoldingProxy> {
  let trigger: { text: string; when: 'before' | 'after'; reached(): void } | undefined
  let holding = false
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()))
    }
    upstream.pipe(client)
    client.on('data', (chunk: Buffer) => {
      if (holding) return
      if (trigger && chunk.toString('latin1').includes(trigger.text)) {
        holding = true
        if (trigger.when === 'after') upstream.write(chunk)
        trigger.reached()
        return
      }
      upstream.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `redis://127.0.0.1:${port}`,
    holdAt: (text, when) => new Promise<void>((reached) => (trigger = { text, when, reached })),
    release() {
      trigger = undefined
      holding = false
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
