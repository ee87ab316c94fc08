// Snodo's own signing keys: one file per key in a directory. The newest signs; the older ones stay
// in the published JWKS so that responses signed before a rotation still verify.
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import { algorithmOf, type SigningKey } from './modi.ts'

type StoredKey = { createdAt: string; privateJwk: JWK }
export type KeyRing = {
  current(): SigningKey
  jwks(): { keys: JWK[] }
  /** Re-reads the directory when it changed, so a `snodo keys rotate` reaches running instances. */
  reload(): Promise<void>
}

export async function rotateKey(dir: string, now = new Date()): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const privateJwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(privateJwk)
  const stored: StoredKey = { createdAt: now.toISOString(), privateJwk: { ...privateJwk, kid, alg: 'ES256', use: 'sig' } }
  writeFileSync(join(dir, `${kid}.json`), JSON.stringify(stored, null, 2), { mode: 0o600 })
  return kid
}

export function listKeys(dir: string): { kid: string; createdAt: string }[] {
  return readStored(dir).map((s) => ({ kid: String(s.privateJwk.kid), createdAt: s.createdAt }))
}

/** Removes a previous key from the JWKS; the current one cannot be retired (rotate first). */
export function retireKey(dir: string, kid: string): void {
  const keys = readStored(dir)
  if (!keys.some((k) => k.privateJwk.kid === kid)) throw new Error(`no key ${kid} in ${dir}`)
  if (keys.at(-1)?.privateJwk.kid === kid) throw new Error(`${kid} is the current signing key: rotate first`)
  unlinkSync(join(dir, `${kid}.json`))
}

export async function createKeyRing(dir: string): Promise<KeyRing> {
  let state = await load(dir)
  return {
    current: () => state.current,
    jwks: () => state.jwks,
    async reload() {
      if (directoryStamp(dir) !== state.stamp) state = await load(dir)
    },
  }
}

async function load(dir: string) {
  const stamp = directoryStamp(dir)
  const stored = readStored(dir)
  const newest = stored.at(-1)
  if (!newest) throw new Error(`no signing keys in ${dir}: run "snodo keys rotate --dir ${dir}"`)
  const alg = algorithmOf(newest.privateJwk)
  const current: SigningKey = { kid: String(newest.privateJwk.kid), alg, key: (await importJWK(newest.privateJwk, alg)) as SigningKey['key'] }
  const keys = stored.map(({ privateJwk }) => publicPart(privateJwk))
  return { stamp, current, jwks: { keys } }
}

function readStored(dir: string): StoredKey[] {
  let files: string[]
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  } catch {
    return []
  }
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StoredKey).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

function directoryStamp(dir: string): string {
  try {
    const files = readdirSync(dir)
    return `${files.length}:${statSync(dir).mtimeMs}`
  } catch {
    return 'missing'
  }
}

const privateMembers = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])
export function publicPart(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([k]) => !privateMembers.has(k))) as JWK
}
