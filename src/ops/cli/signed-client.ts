// The signed client every API command uses: the client file given with --client, or the sandbox's.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { type ClientIdentity, createSnodoClient, readClientFile, type SnodoResponse } from '../../client/index.ts'
import { readEnv } from '../../config.ts'

export const clientOption = [
  '-c, --client <file>',
  'client file { baseUrl, clientId, audience, privateJwk } (default: <SNODO_HOME>/sandbox/demo-client.json)',
] as const

export function readIdentity(clientFile: string | undefined): ClientIdentity {
  // Resolved here, not as a commander default, so `snodo --help` works even with a broken environment.
  const file = clientFile ?? resolve(readEnv().SNODO_HOME, 'sandbox', 'demo-client.json')
  if (!existsSync(file)) throw new Error(`no client file at ${file}: start the sandbox (npm start) or pass --client <file>`)
  try {
    return readClientFile(file)
  } catch (error) {
    throw new Error(`${file} is not a client file: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Thrown for an answer the command cannot go on with; `exitCode` 3 when its signature did not verify. */
export class ApiError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

/** A signed request whose network failure names the reason (fetch says only "fetch failed"; it is in the cause). */
export function reach(
  identity: ClientIdentity,
  snodo: ReturnType<typeof createSnodoClient>,
  ...args: Parameters<ReturnType<typeof createSnodoClient>['request']>
) {
  return snodo.request(...args).catch((error: unknown) => {
    if (error instanceof TypeError && error.cause instanceof Error) throw new Error(`cannot reach Snodo at ${identity.baseUrl}: ${error.cause.message}`)
    throw error
  })
}

/** A client whose calls fail loudly: unreachable Snodo, a non-2xx answer, an unverified signature. */
export function apiClient(clientFile: string | undefined) {
  const identity = readIdentity(clientFile)
  const snodo = createSnodoClient(identity)
  return async (method: string, path: string, body?: unknown): Promise<SnodoResponse> => {
    const response = await reach(identity, snodo, method, path, { body })
    if (!response.verification.verified) throw new ApiError(`response signature did NOT verify: ${response.verification.reason}`, 3)
    if (response.status >= 300) {
      const problem = response.body as { code?: string; detail?: string }
      throw new ApiError(`${method} ${path} → ${response.status} ${problem.code ?? ''}: ${problem.detail ?? response.text}`)
    }
    return response
  }
}
