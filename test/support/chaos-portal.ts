// The portal of a chaos run: every POST carries an Idempotency-Key and, like a portal that must not
// lose a citizen's request, is sent again with the same key and the same body (freshly signed: a new
// jti each time) after a network error, a 5xx or a 409 request_in_progress, until it gets any other
// answer or a minute has passed. The load: payments, messages and practices, each text marked with
// its key so the simulators' logs can tell which command made what.
import { createHash } from 'node:crypto'
import { importSigningKey, signRequest } from '../../src/client/index.ts'
import { chaosServiceCode, marker } from './chaos-platforms.ts'
import { chaosTenant } from './chaos-snodo.ts'
import type { TestClient } from './test-app.ts'

export type Kind = 'payment' | 'message' | 'practice'
export type Command = { kind: Kind; key: string; status: number; id?: string; code?: string; attempts: number }

// Longer than the API's 60 s lock on a key whose request died with its process: a portal keeps trying.
const giveUpMs = 90_000
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function createChaosPortal(o: { baseUrl: string; audience: string; client: TestClient }) {
  const key = importSigningKey(o.client.privateJwk)
  const identity = { clientId: o.client.clientId, audience: o.audience }

  async function once(method: string, path: string, body: string | undefined, idempotencyKey?: string) {
    const headers: Record<string, string> = await signRequest(await key, identity, body)
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
    const res = await fetch(`${o.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) })
    const text = await res.text()
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {}
    return { status: res.status, body: json }
  }

  /** One command, retried as a portal would; status 0 if it never got a final answer. */
  async function command(path: string, payload: object, idempotencyKey: string) {
    const body = JSON.stringify(payload)
    const deadline = Date.now() + giveUpMs
    let attempts = 0
    for (;;) {
      attempts++
      const answer = await once('POST', path, body, idempotencyKey).catch(() => undefined)
      const retry = !answer || answer.status >= 500 || (answer.status === 409 && answer.body.code === 'request_in_progress')
      if (!retry) return { ...answer, attempts }
      if (Date.now() > deadline) return { status: 0, body: {}, attempts }
      await pause(200)
    }
  }

  return {
    command,
    /** A GET, retried on network errors and 5xx for a while (the API may be restarting). */
    async get(path: string) {
      const deadline = Date.now() + giveUpMs
      for (;;) {
        const answer = await once('GET', path, undefined).catch(() => undefined)
        if (answer && answer.status < 500) return answer
        if (Date.now() > deadline) throw new Error(`GET ${path}: no answer (${answer?.status ?? 'network error'})`)
        await pause(200)
      }
    },
  }
}
export type ChaosPortal = ReturnType<typeof createChaosPortal>

const base = `/v1/tenants/${chaosTenant}`
const pad = (n: number) => String(n).padStart(3, '0')

/** The request a command of this kind and number sends: valid, so only a fault can keep it from its end. */
export function requestOf(kind: Kind, run: string, n: number): { path: string; key: string; body: object } {
  const key = `${run}-${kind.slice(0, 3)}-${pad(n)}`
  if (kind === 'payment') {
    const dueDate = new Date(Date.now() + 30 * 86_400_000).toISOString()
    return {
      path: `${base}/payments`,
      key,
      body: {
        debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
        amountCents: 1000 + n,
        description: `TARI ${marker(key)}`,
        dueDate,
      },
    }
  }
  if (kind === 'message') {
    const markdown = `Gentile cittadino, questo è un messaggio della prova di resistenza ${marker(key)}. Nessuna azione è richiesta da parte sua.`
    return { path: `${base}/messages`, key, body: { fiscalCode: `IOUSER00A00Y${pad(n)}X`, subject: `Avviso ${marker(key)}`, markdown } }
  }
  const pdf = Buffer.from(`%PDF-1.4\ndomanda ${key}\n%%EOF\n`)
  return {
    path: `${base}/practices`,
    key,
    body: {
      serviceCode: chaosServiceCode,
      applicant: { fiscalCode: `PRATIC00A00Y${pad(n)}X`, givenName: 'Giulia', familyName: 'Verdi' },
      subject: `Domanda ${marker(key)}`,
      data: { n },
      attachments: [
        {
          name: `domanda-${n}.pdf`,
          contentType: 'application/pdf',
          contentBase64: pdf.toString('base64'),
          sha256: createHash('sha256').update(pdf).digest('hex'),
        },
      ],
      channel: 'online',
      submittedAt: new Date().toISOString(),
    },
  }
}

export const chaosLoad = { payment: 40, message: 60, practice: 10 }

/**
 * Sends the whole load, `concurrency` commands at a time, interleaving kinds; `onProgress` is told how
 * many commands have been answered, so the run can strike in the middle of it.
 */
export async function sendLoad(portal: ChaosPortal, run: string, o: { concurrency: number; onProgress?: (answered: number) => void }): Promise<Command[]> {
  const queue: { kind: Kind; n: number }[] = []
  const max = Math.max(...Object.values(chaosLoad))
  for (let n = 0; n < max; n++) for (const kind of Object.keys(chaosLoad) as Kind[]) if (n < chaosLoad[kind]) queue.push({ kind, n })
  const done: Command[] = []
  const workers = Array.from({ length: o.concurrency }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { path, key, body } = requestOf(next.kind, run, next.n)
      const answer = await portal.command(path, body, key)
      done.push({
        kind: next.kind,
        key,
        status: answer.status,
        attempts: answer.attempts,
        ...(typeof answer.body.id === 'string' ? { id: answer.body.id } : {}),
        ...(typeof answer.body.code === 'string' ? { code: `${answer.body.code}${answer.body.errors ? ` ${JSON.stringify(answer.body.errors)}` : ''}` } : {}),
      })
      o.onProgress?.(done.length)
    }
  })
  await Promise.all(workers)
  return done
}
