// The generic protocollo adapter: a profile (profile.ts) drives the vendor's own WSDL through its
// steps — login, upload, register — and reads the registration from the answers. No vendor API is
// idempotent (backoffice/FACTS.md §3.10): where the profile can search by the correlation key, every
// register() searches first, so a retry after a timeout finds what the timed-out call registered;
// where it cannot, a registering call with an unknown outcome is never retried automatically.
import { readSecret } from '../../config.ts'
import { UpstreamError } from '../../errors.ts'
import { classify, InBandError } from './errors.ts'
import { AnswerUnusable, corruptDocuments, practiceView, readOutputs, registrationOf, renderTree, renderXml } from './mapping.ts'
import type { PracticeToRegister, ProtocolPort, ProtocolRegistration } from './port.ts'
import type { ProtocolProfile, Step } from './profile.ts'
import { createSoapClients } from './soap-clients.ts'
import { evaluate, present, render, type Scope, TemplateError } from './template.ts'
import { createSoapTransport, type Exchange } from './transport.ts'
import type { Dispatcher } from 'undici'

export type ProtocolloClientDeps = {
  env?: Record<string, string | undefined>
  dispatcher?: Dispatcher
  onExchange?: (exchange: Exchange) => void
  /** Told when a search found a practice already registered, so nothing was sent again. */
  onFound?: (correlationKey: string, registration: ProtocolRegistration) => void
}

export type ProtocolloClient = ProtocolPort & { close(): Promise<void> }

export function createProtocolloClient(profile: ProtocolProfile, deps: ProtocolloClientDeps = {}): ProtocolloClient {
  const transport = createSoapTransport({ timeoutMs: profile.timeoutMs, maxAnswerBytes: profile.maxAnswerBytes, dispatcher: deps.dispatcher, onExchange: deps.onExchange })
  const soap = createSoapClients(profile, transport)
  const platform = 'backoffice'

  /** Credentials are secret references, read at each use (so a rotated secret is picked up). */
  const secrets = (): Record<string, string> => {
    try {
      return Object.fromEntries(Object.entries(profile.credentials).map(([name, ref]) => [name, readSecret(ref, deps.env)]))
    } catch (error) {
      throw new UpstreamError({ kind: 'unauthorized', platform, upstreamCode: 'credential_unresolved', message: `${profile.name}: ${(error as Error).message}` })
    }
  }

  const scopeFor = (practice: Scope, secretValues: Record<string, string>): Scope => {
    const scope: Scope = { practice, params: profile.params, secrets: secretValues, steps: {} as Scope }
    const xml: Scope = {}
    for (const [name, doc] of Object.entries(profile.xml)) {
      Object.defineProperty(xml, name, {
        enumerable: true,
        get: () => {
          try {
            return renderXml(doc, scope)
          } catch (error) {
            throw error instanceof TemplateError ? error : new TemplateError(`cannot build the ${name} XML: ${(error as Error).message}`)
          }
        },
      })
    }
    scope.xml = xml
    return scope
  }

  const hide = (scope: Scope): string[] => [...Object.values(scope.secrets as Record<string, string>), String(evaluate('practice.applicant.fiscalCode', scope) ?? '')]

  const runStep = async (step: Step, scope: Scope, options: { optionalOutputs: boolean }): Promise<unknown> => {
    if (step.when && !present(evaluate(step.when, scope))) return undefined
    const once = async (local: Scope): Promise<Record<string, unknown>> => {
      const ctx = { profile, step, correlationKey: String(evaluate('practice.correlationKey', scope) ?? ''), hide: hide(scope) }
      try {
        const answer = await soap.call({ service: step.service, operation: step.operation, args: renderTree(step.args, local) ?? {}, timeoutMs: step.timeoutMs ?? profile.timeoutMs, credentials: basicCredentials(local) })
        return readAnswer(step, answer, options.optionalOutputs)
      } catch (error) {
        throw classify(error, ctx)
      }
    }
    if (!step.forEach) return once(scope)
    const items = evaluate(step.forEach, scope)
    const outputs: Record<string, unknown>[] = []
    for (const [index, item] of (Array.isArray(items) ? items : present(items) ? [items] : []).entries()) {
      outputs.push({ ...(await once({ ...scope, item, index })), item })
    }
    return outputs
  }

  const basicCredentials = (scope: Scope) => {
    const auth = profile.auth
    if (auth.type !== 'basic' && auth.type !== 'wsse') return undefined
    const values = scope.secrets as Record<string, string>
    return { username: values[auth.username] ?? '', password: values[auth.password] ?? '' }
  }

  const authenticate = async (scope: Scope): Promise<void> => {
    if (profile.auth.type !== 'login') return
    const outputs = (await runStep(profile.auth.step, scope, { optionalOutputs: false })) as Record<string, unknown>
    ;(scope.steps as Scope)[profile.auth.step.name] = outputs
    scope.token = outputs.token
  }

  const search = async (scope: Scope): Promise<ProtocolRegistration | undefined> => {
    if (!profile.search) return undefined
    for (const step of profile.search.steps) (scope.steps as Scope)[step.name] = await runStep(step, scope, { optionalOutputs: true })
    const number = render(profile.search.registration.number, scope)
    if (!present(number) || /^0+$/.test(String(number).trim())) return undefined
    const last = profile.search.steps.at(-1) as Step
    try {
      return registrationOf(profile.search.registration, scope)
    } catch (error) {
      throw classify(error, { profile, step: { ...last, commit: false }, hide: hide(scope) })
    }
  }

  const register = async (practice: PracticeToRegister): Promise<ProtocolRegistration> => {
    const corrupt = corruptDocuments(practice)
    if (corrupt.length > 0) {
      throw new UpstreamError({ kind: 'rejected', platform, upstreamCode: 'document_corrupt', message: `${profile.name}: ${corrupt.length} document(s) do not match their sha256; nothing was sent` })
    }
    if (profile.attachments === 'refused' && practice.attachments.length > 0) {
      throw new UpstreamError({ kind: 'rejected', platform, upstreamCode: 'attachments_unsupported', message: `${profile.name} takes no attachments and the practice has ${practice.attachments.length}; nothing was sent` })
    }
    const scope = scopeFor(practiceView(practice) as unknown as Scope, secrets())
    await authenticate(scope)
    const found = await search(scope)
    if (found) {
      deps.onFound?.(practice.correlationKey, found)
      return found
    }
    // The registering call's outputs may be missing: registrationOf says what is wrong with its answer.
    for (const step of profile.steps) (scope.steps as Scope)[step.name] = await runStep(step, scope, { optionalOutputs: step.commit })
    try {
      return registrationOf(profile.result, scope)
    } catch (error) {
      throw classify(error, { profile, step: profile.steps.at(-1) as Step, correlationKey: practice.correlationKey, hide: hide(scope) })
    }
  }

  const port: ProtocolloClient = { register, close: () => transport.close() }
  if (profile.search) {
    port.findByCorrelationKey = async (key: string) => {
      const scope = scopeFor({ correlationKey: key }, secrets())
      await authenticate(scope)
      return search(scope)
    }
  }
  return port
}

/** In-band error codes first, then the named outputs; a missing output is an unusable answer. */
function readAnswer(step: Step, answer: unknown, optionalOutputs: boolean): Record<string, unknown> {
  if (step.inBand) {
    const root = (answer && typeof answer === 'object' ? answer : {}) as Scope
    const code = evaluate(step.inBand.code, root)
    if (!present(code)) throw new AnswerUnusable(`the answer carries no error code at ${step.inBand.code}`)
    if (!step.inBand.ok.includes(String(code))) {
      throw new InBandError(String(code), String((step.inBand.message ? evaluate(step.inBand.message, root) : '') ?? ''))
    }
  }
  let outputs: Record<string, unknown>
  try {
    outputs = readOutputs(step.outputs, answer)
  } catch (error) {
    throw error instanceof AnswerUnusable ? error : new AnswerUnusable(`the answer cannot be read: ${(error as Error).message}`)
  }
  if (!optionalOutputs) {
    for (const [name, value] of Object.entries(outputs)) if (!present(value)) throw new AnswerUnusable(`the answer lacks ${name} (${step.outputs[name]})`)
  }
  return outputs
}
