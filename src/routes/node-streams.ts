// Document bodies cross the HTTP layer as Node streams, with backpressure and without the copy per
// chunk that Readable.toWeb makes, so that memory stays flat whatever their size.
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { AppContext } from './app-env.ts'

/**
 * The request body, for the one route that streams it (document uploads). Served by @hono/node-server,
 * that is the IncomingMessage itself: c.req.raw.body would wrap the socket in two web streams, copying
 * every chunk, only for the route to turn it back into a Node stream — twice the garbage, half the
 * speed. Through app.request() (tests), or once anything read the body as a web stream, that stream.
 */
export function requestBodyStream(c: AppContext): Readable | undefined {
  const incoming: IncomingMessage | undefined = c.env?.incoming
  // Untouched: never paused, resumed or read (Readable.toWeb pauses it at once).
  if (incoming && incoming.readableFlowing === null && !incoming.readableDidRead) return incoming
  const body = c.req.raw.body
  return body ? Readable.fromWeb(body as WebReadableStream<Uint8Array>) : undefined
}

/** A Node stream as an answer's body: one chunk read per pull (the socket's backpressure), no copies. */
export function answerStream(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => void source.destroy(reason instanceof Error ? reason : undefined),
    },
    { highWaterMark: 0 },
  )
}
