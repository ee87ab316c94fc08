// GPD v1 over HTTP (gpd-openapi.json, FACTS §4-5): createPosition with toPublish=true,
// getOrganizationDebtPositionByIUPD (the position's status and each option's), publishPosition,
// invalidatePosition, with the tenant's subscription key and an X-Request-Id per call (FACTS §3).
// undici `request` on a pooled Agent (../../http/caller.ts, design §8). No retries here: the delivery
// engine retries by error kind.
import { randomUUID } from 'node:crypto'
import { createHttpCaller, type PlatformClientOptions } from '../../http/caller.ts'
import { answerError, gpdRejectionCodes, type PagopaAnswer, platform, problemOf, protocolError, rejection } from '../errors.ts'
import type { GpdPort, GpdPositionStatus, PagopaCredentials } from '../port.ts'
import { iuvsOf, optionsOf, statusOf, toPaymentPositionModel } from './mapping.ts'

/** baseUrl: GPD's with its base path, e.g. https://api.platform.pagopa.it/gpd/debt-positions-service/v1 (FACTS §2). */
export type GpdClientOptions = PlatformClientOptions & {
  /** The X-Request-Id of each call (default a random UUID). */
  requestId?: () => string
}

export type GpdClient = GpdPort & { close(): Promise<void> }

type Operation = 'createPosition' | 'getPosition' | 'publishPosition' | 'invalidatePosition'

export function createGpdClient(options: GpdClientOptions): GpdClient {
  const http = createHttpCaller({ ...options, platform, connections: 32 })
  const requestId = options.requestId ?? randomUUID

  const call = (operation: Operation, credentials: PagopaCredentials, method: 'GET' | 'POST', path: string, json?: unknown): Promise<PagopaAnswer> =>
    http.send(`GPD ${operation}`, { method, path, headers: { 'Ocp-Apim-Subscription-Key': credentials.subscriptionKey, 'X-Request-Id': requestId() }, json })

  const positions = (credentials: PagopaCredentials) => `/organizations/${encodeURIComponent(credentials.organizationFiscalCode)}/debtpositions`
  const position = (credentials: PagopaCredentials, iupd: string) => `${positions(credentials)}/${encodeURIComponent(iupd)}`

  /** The status in a 200/201 answer; when GPD leaves it out (it is readOnly in the spec), a GET says it. */
  const statusAfter = async (operation: Operation, answer: PagopaAnswer, credentials: PagopaCredentials, iupd: string): Promise<GpdPositionStatus> => {
    const status = statusOf(parse(answer))
    if (status) return status
    const { found } = await current(credentials, iupd)
    if (!found) throw protocolError('GPD', operation, answer, 'no debt position status, and no position after it')
    return found.status
  }

  /** The position as GPD has it now, or undefined when GPD says it has none (404 with its ProblemJson). */
  const current = async (credentials: PagopaCredentials, iupd: string) => {
    const answer = await call('getPosition', credentials, 'GET', position(credentials, iupd))
    // A bare 404 comes from a gateway (wrong baseUrl), not from GPD: it must not read as "no such position".
    if (answer.status === 404 && problemOf(answer.text).isProblemJson) return { answer, found: undefined }
    if (answer.status !== 200) throw answerError('GPD', 'getPosition', answer)
    const body = parse(answer)
    const status = statusOf(body)
    if (!status) throw protocolError('GPD', 'getPosition', answer, 'no debt position status')
    return { answer, found: { status, iuvs: iuvsOf(body) ?? [], options: optionsOf(body) } }
  }

  return {
    async createAndPublish(credentials, debtPosition) {
      const created = await call('createPosition', credentials, 'POST', `${positions(credentials)}?toPublish=true`, toPaymentPositionModel(debtPosition))
      if (created.status === 201) return { status: await statusAfter('createPosition', created, credentials, debtPosition.iupd), alreadyThere: false }
      if (created.status !== 409) throw answerError('GPD', 'createPosition', created)
      // GPD answers 409 on a duplicate create: treat as already there and learn its state (FACTS §5 "Idempotency").
      const { found } = await current(credentials, debtPosition.iupd)
      if (!found) {
        throw rejection(
          'GPD',
          'createPosition',
          gpdRejectionCodes.noticeInUse,
          created,
          `duplicate, yet no position has IUPD ${debtPosition.iupd}: another position holds IUV ${debtPosition.option.iuv} or its notice number`,
        )
      }
      if (!found.iuvs.includes(debtPosition.option.iuv)) {
        throw rejection(
          'GPD',
          'createPosition',
          gpdRejectionCodes.iupdInUse,
          created,
          `position ${debtPosition.iupd} exists with other notices than IUV ${debtPosition.option.iuv}`,
        )
      }
      if (found.status !== 'DRAFT') return { status: found.status, alreadyThere: true }
      // Created but never published (an earlier try, or toPublish=false elsewhere): publish it now.
      const published = await call('publishPosition', credentials, 'POST', `${position(credentials, debtPosition.iupd)}/publish`)
      if (published.status === 200) return { status: await statusAfter('publishPosition', published, credentials, debtPosition.iupd), alreadyThere: true }
      if (published.status === 409) {
        // "not in publishable state": someone published it in between; GPD says what it is now.
        const again = await current(credentials, debtPosition.iupd)
        if (again.found && again.found.status !== 'DRAFT') return { status: again.found.status, alreadyThere: true }
      }
      throw answerError('GPD', 'publishPosition', published)
    },

    async invalidate(credentials, iupd) {
      const answer = await call('invalidatePosition', credentials, 'POST', `${position(credentials, iupd)}/invalidate`)
      if (answer.status === 200) return
      if (answer.status === 404 && problemOf(answer.text).isProblemJson)
        throw rejection('GPD', 'invalidatePosition', gpdRejectionCodes.positionNotFound, answer, `no position ${iupd}`)
      if (answer.status !== 409) throw answerError('GPD', 'invalidatePosition', answer)
      // 409 "not in invalidable state" (FACTS §4): say why from the position's own status.
      const { found } = await current(credentials, iupd)
      if (!found) throw rejection('GPD', 'invalidatePosition', gpdRejectionCodes.positionNotFound, answer, `no position ${iupd}`)
      switch (found.status) {
        // Nothing left to pay: INVALID already, EXPIRED past its due date, DRAFT never published (Node cannot see it).
        case 'INVALID':
        case 'EXPIRED':
        case 'DRAFT':
          return
        case 'PAID':
        case 'PARTIALLY_PAID':
        case 'REPORTED':
          throw rejection(
            'GPD',
            'invalidatePosition',
            gpdRejectionCodes.positionPaid,
            answer,
            `position ${iupd} is ${found.status}: a payment was made, it cannot be cancelled`,
          )
        default:
          throw answerError('GPD', 'invalidatePosition', answer)
      }
    },

    async status(credentials, iupd) {
      const { answer, found } = await current(credentials, iupd)
      if (!found) throw rejection('GPD', 'getPosition', gpdRejectionCodes.positionNotFound, answer, `no position ${iupd}`)
      return found.status
    },

    async position(credentials, iupd) {
      const { found } = await current(credentials, iupd)
      return found && { status: found.status, options: found.options }
    },

    close: () => http.close(),
  }
}

function parse(answer: PagopaAnswer): unknown {
  try {
    return JSON.parse(answer.text)
  } catch {
    return undefined
  }
}
