import { bodyLimit } from 'hono/body-limit'
import { SnodoError } from '../../errors.ts'

/** 413 from Content-Length alone, or as soon as a streamed body passes the limit. */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new SnodoError('payload_too_large', `The body exceeds ${maxBytes} bytes`)
    },
  })
