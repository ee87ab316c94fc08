// What Node's HTTP parser refuses never reaches Hono: headers over the limit, a request that is not
// HTTP/1.1. Node would answer a bare `431`/`400`; this answers them as every other failure is
// answered, problem+json with a code from the closed list, written raw on the socket.
import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { SnodoError, toProblem } from '../errors.ts'

type ParserError = Error & { code?: string }
type ClientSocket = Duplex & { bytesWritten?: number }
type HttpServer = { on(event: 'clientError', listener: (error: ParserError, socket: ClientSocket) => void): unknown }

function refusal(error: ParserError): SnodoError | undefined {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new SnodoError('request_header_too_large', `The request line and headers exceed ${maxHeaderSize} bytes`)
  if (error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return new SnodoError('payload_too_large', 'Chunk extensions too large')
  if (error.code?.startsWith('HPE_')) return new SnodoError('malformed_request', `Not a valid HTTP/1.1 request (${error.code})`)
  return undefined
}

function rawResponse(problem: SnodoError): string {
  const requestId = randomUUID()
  const body = JSON.stringify(toProblem(problem, requestId))
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n')
}

/** Answers the HTTP parser's refusals on `server` as problem+json; a connection already answered on, or reset, is closed. */
export function answerClientErrors(server: HttpServer, logger?: Logger): void {
  server.on('clientError', (error, socket) => {
    // As Node does: answer only while nothing has been written on this connection yet.
    const answerable = socket.writable && (socket.bytesWritten ?? 0) === 0
    const problem = refusal(error)
    if (answerable && problem) {
      logger?.info({ code: problem.code, parserError: error.code }, 'request refused by the HTTP parser')
      socket.end(rawResponse(problem))
      socket.once('finish', () => socket.destroy())
    } else if (answerable && error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // No problem code says "too slow": Node's own answer.
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n')
      socket.once('finish', () => socket.destroy())
    } else socket.destroy()
  })
}
