// App IO over HTTP (services-openapi.yaml): getProfileByPOST, submitMessageforUserWithFiscalCodeInBody
// and getMessage, with the service's own key (appio/FACTS.md §1). undici `request` on a pooled Agent
// (design §8: 2-3× faster than fetch). No retries here: the delivery engine retries by error kind.
import { createHttpCaller, type PlatformClientOptions } from '../http/caller.ts'
import { answerError, type IoAnswer, type IoOperation, isProblemJson, platform, protocolError } from './errors.ts'
import { createdIdOf, senderAllowedOf, statusOf, toNewMessage } from './mapping.ts'
import type { AppIoPort, IoService } from './port.ts'

/** baseUrl: IO's, including the base path, e.g. https://api.io.pagopa.it/api/v1 (FACTS §1). */
export type AppIoClientOptions = PlatformClientOptions

export type AppIoClient = AppIoPort & { close(): Promise<void> }

export function createAppIoClient(options: AppIoClientOptions): AppIoClient {
  const http = createHttpCaller({ ...options, platform, connections: 32 })

  const call = (operation: IoOperation, service: IoService, method: 'GET' | 'POST', path: string, json?: unknown): Promise<IoAnswer> =>
    http.send(`App IO ${operation}`, { method, path, headers: { 'Ocp-Apim-Subscription-Key': service.apiKey }, json })

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

    close: () => http.close(),
  }
}
