import type { Hono } from 'hono'
import { DocumentMeta } from '../../../contracts/practice-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { digestOfSha256 } from '../../../trust/modi.ts'
import { verifySignedHeaders } from '../../../trust/verify-integrity.ts'
import { type AppEnv, callerOf, tenantIdOf } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { signerOf } from '../../middleware/body-integrity.ts'
import { signedWithDigest } from '../../middleware/sign-response.ts'
import { answerStream, requestBodyStream } from '../../node-streams.ts'
import { attachmentHeaders } from './content-disposition.ts'

// biome-ignore lint/suspicious/noControlCharactersInRegex: a stored name may hold no control character, so the class names them.
const fileName = /^[^/\\\x00-\x1f]{1,200}$/

/** The file name as sent percent-encoded; undefined when the encoding is broken (e.g. a lone `%`). */
function decodedName(header: string): string | undefined {
  try {
    return decodeURIComponent(header)
  } catch {
    return undefined
  }
}

/** uploadDocument (streamed, INTEGRITY_REST_01 checked around the stream), getDocument, downloadDocument (streamed). */
export function registerDocuments(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'documents' | 'config' | 'replay'>) {
  app.post('/', requireScope('practices:write', deps), audited('document.upload', deps), async (c) => {
    const name = decodedName(c.req.header('x-document-name') ?? '')
    if (name === undefined || !fileName.test(name))
      throw new SnodoError('validation_failed', 'Name the document in X-Document-Name (1-200 characters, no path, percent-encoded as UTF-8)', {
        errors: [{ path: 'X-Document-Name', message: 'a file name' }],
      })
    const contentType = c.req.header('content-type') ?? ''
    if (!/^[\w.+-]+\/[\w.+-]+/.test(contentType))
      throw new SnodoError('unsupported_media_type', 'Send the document with its own media type, e.g. application/pdf')
    const client = deps.clients.get(callerOf(c).clientId)
    const body = requestBodyStream(c)
    if (!client || !body) throw new SnodoError('malformed_request', 'A document upload needs a body')
    const digest = c.req.header('digest')
    // The signed headers first: nothing is written for a request that is not the client's.
    await verifySignedHeaders(
      { digest, signature: c.req.header('agid-jwt-signature'), contentType, authorization: c.req.header('authorization') },
      signerOf(c, deps.clients),
      {
        audience: deps.config.publicUrl,
        leewaySeconds: deps.config.auth.leewaySeconds,
        maxTokenLifetimeSeconds: deps.config.auth.maxTokenLifetimeSeconds,
        replay: deps.replay,
      },
    )
    const stored = await deps.documents.put(tenantIdOf(c), body, {
      name,
      contentType,
      uploadedBy: client.id,
      expectedDigest: digest as string,
      maxBytes: deps.config.documents.maxBytes,
    })
    return c.json(DocumentMeta.parse(stored), 201, { Location: `/v1/tenants/${tenantIdOf(c)}/documents/${stored.sha256}` })
  })

  const found = async (tenantId: string, sha256: string) => {
    const meta = /^[0-9a-fA-F]{64}$/.test(sha256) ? await deps.documents.meta(tenantId, sha256) : undefined
    if (!meta) throw new SnodoError('not_found', `No document ${sha256}`)
    return meta
  }
  app.get('/:sha256', requireScope('practices:read', deps), async (c) => c.json(DocumentMeta.parse(await found(tenantIdOf(c), c.req.param('sha256')))))
  app.get('/:sha256/content', requireScope('practices:read', deps), async (c) => {
    const meta = await found(tenantIdOf(c), c.req.param('sha256'))
    // Streamed, not buffered: the Digest Snodo signs is the stored document's sha256, which the store
    // checks again while the bytes go out.
    const bytes = await deps.documents.open(tenantIdOf(c), meta)
    // Hono answers HEAD from this GET and drops the body unread: for HEAD, close the file at once.
    const body = c.req.method === 'HEAD' ? (bytes.destroy(), new ReadableStream<Uint8Array>()) : answerStream(bytes)
    signedWithDigest(c, body, digestOfSha256(meta.sha256))
    return c.body(body, 200, { 'content-type': meta.contentType, 'content-length': String(meta.size), ...attachmentHeaders(meta.name) })
  })
}
