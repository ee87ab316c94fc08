// A vendor's SOAP service for tests: `soap.listen` serving the vendor's own WSDL (read in place from
// ../shared/contracts, never copied) on loopback, with handlers the simulator supplies. It also records
// every envelope that arrived, and can answer one call with raw bytes instead (not XML, a DTD, an
// HTTP error) to prove what the adapter does with answers no real SOAP stack would produce.
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type IServices, listen } from 'soap'

export type Mount = { path: string; wsdl: string; services: IServices }
export type Arrival = { path: string; soapAction: string; envelope: string }
export type RawAnswer = { status?: number; contentType?: string; body: string }

export type SoapSimulator = {
  url: string
  /** Every request that reached a mount, in order, raw answers included. */
  arrivals: Arrival[]
  /** The next call whose SOAPAction ends with `operation` gets these bytes instead of the handler's answer. */
  answerRawOnce(operation: string, answer: RawAnswer): void
  close(): Promise<void>
}

export type ListenOptions = {
  /** false for a long-running simulator: nothing is kept, so memory stays flat. */
  keepArrivals?: boolean
  /** Answers what is not a call to a mount (a simulator's controls); 404 otherwise. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => void
}

export async function listenSoap(mounts: Mount[], options: ListenOptions = {}): Promise<SoapSimulator> {
  const arrivals: Arrival[] = []
  const raw = new Map<string, RawAnswer>()
  const server = createServer(
    options.fallback ??
      ((_req, res) => {
        res.statusCode = 404
        res.end('no SOAP service here')
      }),
  )
  for (const mount of mounts) {
    // soap.listen takes over the server's 'request' listeners once the WSDL is loaded: wait for that.
    await new Promise<void>((resolve, reject) => {
      const soapServer = listen(server, {
        path: mount.path,
        xml: readFileSync(mount.wsdl, 'utf8'),
        services: mount.services,
        callback: (error: unknown) => (error ? reject(error) : resolve()),
      })
      soapServer.log = (type: string, data: unknown, req: IncomingMessage) => {
        if (type === 'received' && options.keepArrivals !== false) arrivals.push({ path: mount.path, soapAction: soapActionOf(req), envelope: String(data) })
      }
    })
  }
  // Raw answers are served in front of soap's listeners.
  const soapListeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[]
  server.removeAllListeners('request')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const action = soapActionOf(req)
    const key = [...raw.keys()].find((operation) => action.endsWith(operation))
    const answer = key === undefined ? undefined : raw.get(key)
    if (key === undefined || !answer) {
      for (const listener of soapListeners) listener.call(server, req, res)
      return
    }
    raw.delete(key)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (options.keepArrivals !== false) arrivals.push({ path: req.url ?? '', soapAction: action, envelope: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'text/xml; charset=utf-8' })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    answerRawOnce: (operation, answer) => void raw.set(operation, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function soapActionOf(req: IncomingMessage): string {
  const header = req.headers.soapaction ?? /action="?([^";]+)/.exec(String(req.headers['content-type'] ?? ''))?.[1] ?? ''
  return String(header).replace(/^"|"$/g, '')
}

/** Resolves after ms; a simulator uses it to answer later than the adapter waits. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
