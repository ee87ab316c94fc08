// The generic SOAP adapter's engine: a profile (profile.ts) drives the vendor's own WSDL through its
// steps — login, search, upload, the committing call — and keeps every answer's named outputs in the
// scope the next templates read. What the outcome means (a registration, a supplier's receipt) is the
// caller's: each kind of adapter reads it from the scope. Every failure leaves as an UpstreamError
// (errors.ts), with the committing call's unknown outcome handled as FACTS.md §3.10 asks.
import type { Dispatcher } from 'undici'
import { readSecret } from '../../config/secret-ref.ts'
import { UpstreamError } from '../../errors.ts'
import type { ClientTls } from '../http/agent.ts'
import { classify, InBandError, type PlatformErrors } from './errors.ts'
import type { SoapProfile, Step } from './profile.ts'
import { AnswerUnusable, readOutputs, renderTree, renderXml, unmetRequirements } from './render.ts'
import { createSoapClients } from './soap-clients.ts'
import { evaluate, present, type Scope, TemplateError } from './template.ts'
import { createSoapTransport, type Exchange } from './transport.ts'

export type RunnerDeps = {
  env?: Record<string, string | undefined>
  dispatcher?: Dispatcher
  /** Mutual TLS towards the vendor, on the transport's own Agent (no dispatcher given). */
  tls?: ClientTls
  onExchange?: (exchange: Exchange) => void
}

export type ProfileRunner = {
  /**
   * A scope for one practice — its view, the params, the secrets read now, the XML documents (built
   * when read) — after the login step, when the profile has one (its `token` becomes {{token}}).
   */
  begin(practice: Scope): Promise<Scope>
  /** The search steps (none without `search`); their outputs land in scope.steps. */
  search(scope: Scope): Promise<void>
  /**
   * The profile's steps, the committing one last; its outputs may be missing (the caller's reading says
   * what is wrong). `beforeCommitting` is awaited just before the committing call goes out.
   */
  commit(scope: Scope, beforeCommitting?: () => Promise<void>): Promise<void>
  /** A failure to read the outcome of the search (`search`) or of the committing call, as an UpstreamError. */
  failure(error: unknown, scope: Scope, after: 'search' | 'commit'): UpstreamError
  close(): Promise<void>
}

/** `errors`: what the kind of adapter running the profile says of its failures (its errors.ts). */
export function createProfileRunner(profile: SoapProfile, errors: PlatformErrors, deps: RunnerDeps = {}): ProfileRunner {
  const transport = createSoapTransport({
    timeoutMs: profile.timeoutMs,
    maxAnswerBytes: profile.maxAnswerBytes,
    dispatcher: deps.dispatcher,
    tls: deps.tls,
    onExchange: deps.onExchange,
  })
  const soap = createSoapClients(profile, transport)

  /** Credentials are secret references, read at each use (so a rotated secret is picked up). */
  const secrets = (): Record<string, string> => {
    try {
      return Object.fromEntries(Object.entries(profile.credentials).map(([name, ref]) => [name, readSecret(ref, deps.env)]))
    } catch (error) {
      throw new UpstreamError({
        kind: 'unauthorized',
        platform: 'backoffice',
        upstreamCode: 'credential_unresolved',
        message: `${profile.name}: ${(error as Error).message}`,
      })
    }
  }

  const scopeFor = (practice: Scope): Scope => {
    const scope: Scope = { practice, params: profile.params, secrets: secrets(), steps: {} as Scope }
    const xml: Scope = {}
    for (const [name, doc] of Object.entries(profile.xml)) {
      Object.defineProperty(xml, name, {
        enumerable: true,
        get: () => {
          const unmet = unmetRequirements(doc, scope)
          if (unmet.length > 0) throw new TemplateError(`the ${name} XML needs ${unmet.map((u) => `${u.path}: ${u.message}`).join('; ')}`)
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

  const hide = (scope: Scope): string[] => [
    ...Object.values(scope.secrets as Record<string, string>),
    String(evaluate('practice.applicant.fiscalCode', scope) ?? ''),
  ]
  const correlationKey = (scope: Scope) => String(evaluate('practice.correlationKey', scope) ?? '')

  const runStep = async (step: Step, scope: Scope, options: { optionalOutputs: boolean }): Promise<unknown> => {
    if (step.when && !present(evaluate(step.when, scope))) return undefined
    const once = async (local: Scope): Promise<Record<string, unknown>> => {
      try {
        const answer = await soap.call({
          service: step.service,
          operation: step.operation,
          args: renderTree(step.args, local) ?? {},
          timeoutMs: step.timeoutMs ?? profile.timeoutMs,
          credentials: basicCredentials(local),
        })
        return readAnswer(step, answer, options.optionalOutputs)
      } catch (error) {
        throw classify(error, { profile, errors, step, correlationKey: correlationKey(scope), hide: hide(scope) })
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

  const runAll = async (steps: Step[], scope: Scope, optionalOutputs: (step: Step) => boolean, beforeCommitting?: () => Promise<void>) => {
    for (const step of steps) {
      // One step commits, the last (profile-check.ts).
      if (step.commit) await beforeCommitting?.()
      ;(scope.steps as Scope)[step.name] = await runStep(step, scope, { optionalOutputs: optionalOutputs(step) })
    }
  }

  return {
    async begin(practice) {
      const scope = scopeFor(practice)
      if (profile.auth.type !== 'login') return scope
      const outputs = (await runStep(profile.auth.step, scope, { optionalOutputs: false })) as Record<string, unknown>
      ;(scope.steps as Scope)[profile.auth.step.name] = outputs
      scope.token = outputs.token
      return scope
    },
    search: (scope) => runAll(profile.search?.steps ?? [], scope, () => true),
    commit: (scope, beforeCommitting) => runAll(profile.steps, scope, (step) => step.commit, beforeCommitting),
    failure(error, scope, after) {
      const step = after === 'search' ? { ...(profile.search?.steps.at(-1) as Step), commit: false } : (profile.steps.at(-1) as Step)
      return classify(error, { profile, errors, step, correlationKey: correlationKey(scope), hide: hide(scope) })
    },
    close: () => transport.close(),
  }
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
