import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { listKeys, rotateKey } from '../../trust/key-ring.ts'
import { registerKeys } from './keys.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snodo-keys-'))
})
afterEach(() => {
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `snodo <args>` in-process; what it printed comes back, a commander refusal throws. */
async function snodo(args: string[]): Promise<string> {
  const printed: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line))
  const program = new Command('snodo').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: (text) => void printed.push(text) })
  registerKeys(program)
  await program.parseAsync(args, { from: 'user' })
  return printed.join('\n')
}

/** An old key whose kid starts with `prefix` (about one real thumbprint in 64 starts with "-"), then the current one. */
async function keysWithOldKid(prefix: string): Promise<{ oldKid: string; currentKid: string }> {
  const generated = await rotateKey(dir, new Date('2025-01-01T00:00:00Z'))
  const currentKid = await rotateKey(dir, new Date('2025-02-01T00:00:00Z'))
  const stored = JSON.parse(readFileSync(join(dir, `${generated}.json`), 'utf8'))
  const oldKid = `${prefix}${generated.slice(prefix.length)}`
  stored.privateJwk.kid = oldKid
  // Removed before the rewrite: when the thumbprint already starts with the prefix, both are one file.
  unlinkSync(join(dir, `${generated}.json`))
  writeFileSync(join(dir, `${oldKid}.json`), JSON.stringify(stored))
  return { oldKid, currentKid }
}

it.each([
  ['the kid first', (kid: string, d: string) => ['keys', 'retire', kid, '--dir', d]],
  ['--dir first', (kid: string, d: string) => ['keys', 'retire', '--dir', d, kid]],
  ['after --', (kid: string, d: string) => ['keys', 'retire', '--dir', d, '--', kid]],
])('keys retire takes a kid starting with "-" as the kid (%s)', async (_, argv) => {
  const { oldKid, currentKid } = await keysWithOldKid('-')
  expect(await snodo(argv(oldKid, dir))).toBe(`retired ${oldKid}`)
  expect(listKeys(dir).map((k) => k.kid)).toEqual([currentKid])
})

it('keys retire takes kids starting with "--" or "-h" too, not as options or a help request', async () => {
  for (const prefix of ['--', '-h', '-d']) {
    const { oldKid } = await keysWithOldKid(prefix)
    expect(await snodo(['keys', 'retire', oldKid, '--dir', dir])).toBe(`retired ${oldKid}`)
    rmSync(dir, { recursive: true, force: true })
  }
})

it('keys retire still refuses a second argument, and its help says how to pass a kid starting with "-"', async () => {
  const { oldKid } = await keysWithOldKid('-')
  await expect(snodo(['keys', 'retire', oldKid, 'extra', '--dir', dir])).rejects.toMatchObject({ code: 'commander.excessArguments' })
  await expect(snodo(['keys', 'retire', '--help'])).rejects.toMatchObject({ code: 'commander.helpDisplayed' })
  const help = new Command('snodo')
  registerKeys(help)
  const retire = help.commands.find((c) => c.name() === 'keys')?.commands.find((c) => c.name() === 'retire')
  let text = ''
  retire?.configureOutput({ writeOut: (t) => void (text += t) }).outputHelp()
  expect(text).toContain('snodo keys retire -- <kid>')
})
