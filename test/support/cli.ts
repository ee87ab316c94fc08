// Runs the built CLI (dist/ops/cli/main.js, what `npx snodo` runs) as its own process.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './sandbox-process.ts'

export const cliPath = join(repoRoot, 'dist/ops/cli/main.js')

export type CliResult = { code: number | null; stdout: string; stderr: string }

export async function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first (npm test does)`)
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  if (!options.env?.SNODO_CONFIG) delete env.SNODO_CONFIG
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
  child.stdin.end(options.stdin ?? '')
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}
