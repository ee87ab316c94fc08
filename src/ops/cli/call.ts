// snodo call METHOD PATH: one signed request, the answer printed, its signature checked.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { createSnodoClient } from '../../client/index.ts'
import { clientOption, reach, readIdentity } from './signed-client.ts'

type CallOptions = { data?: string; idempotencyKey?: string; client?: string; header?: string[] }

export function registerCall(program: Command) {
  program
    .command('call')
    .description('send one signed request to Snodo and verify the signature of its answer')
    .argument('<method>', 'HTTP method, e.g. GET or POST')
    .argument('<path>', 'path, e.g. /v1/tenants/comune-demo')
    .option('-d, --data <body>', 'JSON body, @file to read it from a file, @- from standard input')
    .option('-k, --idempotency-key <key>', 'Idempotency-Key header')
    .option(...clientOption)
    .option('-H, --header <header>', "extra header 'Name: value' (repeatable)", (value: string, all: string[] = []) => [...all, value])
    .addHelpText('after', '\nExit codes: 0 verified 2xx answer, 1 non-2xx answer, 3 answer whose signature does not verify.')
    .action(async (method: string, path: string, options: CallOptions) => {
      process.exitCode = await call(method.toUpperCase(), path, options)
    })
}

async function call(method: string, path: string, options: CallOptions): Promise<number> {
  const body = readBody(options.data)
  const headers = parseHeaders(options.header ?? [])
  const identity = readIdentity(options.client)
  const snodo = createSnodoClient(identity)
  const response = await reach(identity, snodo, method, path, { body, idempotencyKey: options.idempotencyKey, headers })
  console.log(`HTTP ${response.status}${response.headers.get('idempotent-replayed') ? ' (idempotent replay)' : ''}`)
  console.log(typeof response.body === 'string' ? response.body : JSON.stringify(response.body, null, 2))
  if (!response.verification.verified) {
    console.error(`✘ response signature did NOT verify: ${response.verification.reason}`)
    return 3
  }
  console.error(`✔ response signature verified (kid ${response.verification.kid})`)
  return response.status >= 200 && response.status < 300 ? 0 : 1
}

function readBody(data: string | undefined): string | undefined {
  if (data === undefined) return undefined
  const text = data.startsWith('@') ? readData(data.slice(1)) : data
  try {
    JSON.parse(text)
  } catch {
    throw new Error(`--data is not JSON: ${text.slice(0, 60)}`)
  }
  return text
}

function readData(source: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8')
  } catch (error) {
    throw new Error(`--data @${source}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

function parseHeaders(headers: string[]): Record<string, string> {
  return Object.fromEntries(
    headers.map((header) => {
      const at = header.indexOf(':')
      if (at < 1) throw new Error(`--header must look like 'Name: value', got ${header}`)
      return [header.slice(0, at).trim().toLowerCase(), header.slice(at + 1).trim()]
    }),
  )
}
