// App IO over HTTP (services-openapi.yaml): getProfileByPOST, submitMessageforUserWithFiscalCodeInBody
// and getMessage, with the service's own key (appio/FACTS.md §1). undici `request` on a pooled Agent
// (design §8: 2-3× faster than fetch). No retries here: the delivery engine retries by error kind.
import { Agent, type Dispatcher } from 'undici'
import { sendJson } from '../http/send-json.ts'
import { answerError, failureError, type IoAnswer, type IoOperation, isProblemJson, protocolError } from './errors.ts'
import { createdIdOf, senderAllowedOf, statusOf, toNewMessage } from './mapping.ts'
import type { AppIoPort, IoService } from './port.ts'

export type AppIoClientOptions = {
  /** IO's base URL including the base path, e.g. https://api.io.pagopa.it/api/v1 (FACTS §1). */
  baseUrl: string
  /** Defaults to an Agent of the client's own, closed by close(). */
  dispatcher?: Dispatcher
  /** Per call: connect, headers and each body chunk (default 10 s). */
  timeoutMs?: number
}

export type AppIoClient = AppIoPort & { close(): Promise<void> }

export function createAppIoClient(options: AppIoClientOptions): AppIoClient {
  const timeoutMs = options.timeoutMs ?? 10_000
  const owned = options.dispatcher ? undefined : new Agent({ connections: 32, keepAliveTimeout: 10_000, connect: { timeout: timeoutMs } })
  const dispatcher = options.dispatcher ?? (owned as Agent)
  const base = options.baseUrl.replace(/\/+$/, '')

  const call = async (operation: IoOperation, service: IoService, method: 'GET' | 'POST', path: string, body?: unknown): Promise<IoAnswer> => {
    try {
      return await sendJson({ url: `${base}${path}`, method, headers: { 'Ocp-Apim-Subscription-Key': service.apiKey }, body, dispatcher, timeoutMs })
    } catch (cause) {
      throw failureError(operation, cause, timeoutMs)
    }
  }

  const json = (operation: IoOperation, answer: IoAnswer): unknown => {
    try {
      return JSON.parse(answer.text)
    } catch {
      throw protocolError(operation, answer.status, 'a body that is not JSON')
    }
  }

  return {
    async checkProfile(service, fiscalCode) {
      // POST, not GET /profiles/{fiscal_code}: the code stays out of URLs and access logs (FACTS §2.1).
      const answer = await call('getProfile', service, 'POST', '/profiles', { fiscal_code: fiscalCode })
      // 404 with IO's ProblemJson = not on IO: do not send (FACTS §2.1). A bare 404 from a gateway means a
      // wrong baseUrl, and must not quietly turn every citizen into "not on IO".
      if (answer.status === 404 && isProblemJson(answer.text)) return { canReceive: false, reason: 'not_on_io' }
      if (answer.status !== 200) throw answerError('getProfile', answer, fiscalCode)
      const allowed = senderAllowedOf(json('getProfile', answer))
      if (allowed === undefined) throw protocolError('getProfile', 200, 'no LimitedProfile.sender_allowed')
      // sender_allowed false = the citizen opted out of this service (FACTS §2.1).
      return allowed ? { canReceive: true } : { canReceive: false, reason: 'sender_not_allowed' }
    },

    async submit(service, message) {
      const answer = await call('submitMessage', service, 'POST', '/messages', toNewMessage(message))
      if (answer.status !== 201) throw answerError('submitMessage', answer, message.fiscalCode)
      const id = createdIdOf(json('submitMessage', answer))
      if (!id) throw protocolError('submitMessage', 201, 'no message id')
      return { ioMessageId: id }
    },

    async status(service, fiscalCode, ioMessageId) {
      // getMessage has no body variant: the fiscal code is in the path here (spec /messages/{fiscal_code}/{id}).
      const path = `/messages/${encodeURIComponent(fiscalCode)}/${encodeURIComponent(ioMessageId)}`
      const answer = await call('getMessage', service, 'GET', path)
      if (answer.status !== 200) throw answerError('getMessage', answer, fiscalCode)
      const status = statusOf(json('getMessage', answer))
      if (!status) throw protocolError('getMessage', 200, 'no ExternalMessageResponseWithContent status')
      return status
    },

    async close() {
      await owned?.close()
    },
  }
}
