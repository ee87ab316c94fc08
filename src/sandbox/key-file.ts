// A random API key for a simulated platform, kept in a file across restarts and readable only by
// its owner; the sandbox configuration refers to it as `file:<path>`, as a live one would.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export function keyFile(path: string): { path: string; key: string } {
  if (existsSync(path)) return { path, key: readFileSync(path, 'utf8').trim() }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const key = randomBytes(16).toString('hex')
  writeFileSync(path, `${key}\n`, { mode: 0o600 })
  return { path, key }
}
