// Exact bytes over a fresh TCP connection, and the whole answer read back: what an attacker who
// captured a request replays, and the one way to send a request with neither Content-Length nor
// Transfer-Encoding (fetch and node:http add one or the other to a POST).
import { connect } from 'node:net'

export type RawAnswer = { status: number; headers: Record<string, string>; text: string; json(): Record<string, unknown> }

/** The bytes of an HTTP/1.1 request; `connection: close` so that the answer ends with the socket. */
export function requestBytes(origin: string, method: string, path: string, headers: Record<string, string>, body?: string): Buffer {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `host: ${new URL(origin).host}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'connection: close',
  ]
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), Buffer.from(body ?? '')])
}

export function sendRaw(origin: string, bytes: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('end', () => resolve(parse(Buffer.concat(chunks))))
    socket.write(bytes)
  })
}

function parse(answer: Buffer): RawAnswer {
  const split = answer.indexOf('\r\n\r\n')
  const [statusLine = '', ...headerLines] = answer.subarray(0, split).toString('latin1').split('\r\n')
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
  const raw = answer.subarray(split + 4)
  const text = (headers['transfer-encoding'] === 'chunked' ? unchunk(raw) : raw).toString('utf8')
  return { status: Number(statusLine.split(' ')[1]), headers, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

function unchunk(raw: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at)
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16)
    if (!size) return Buffer.concat(parts)
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}

/** `raw` as it is (latin1) to `target`, the answer read until the server closes: for what no HTTP client would send. */
export async function rawExchange(
  target: { host: string; port: number },
  raw: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { status, headers, text } = await sendRaw(`http://${target.host}:${target.port}`, Buffer.from(raw, 'latin1'))
  return { status, headers, body: text }
}
