// Part 2: memory while a 50 MB document is streamed through POST /v1/tenants/{t}/documents of the whole
// app in its own process. The body is signed over its bytes (client signRequest: Digest + Agid-JWT-Signature)
// and sent over HTTP in 64 KiB chunks; the server's RSS (/proc/<pid>/status VmRSS) is sampled every 100 ms
// from before the first byte to after the answer. Flat: the peak grows by far less than the 50 MB sent.
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { signRequest } from '../../src/client/index.ts'
import type { SigningKey } from '../../src/trust/modi.ts'
import { median, sleep, startChild, stopChild } from '../delivery/common.ts'
import { audience, clientId, tenant } from '../delivery/snodo-config.ts'

type Log = (line: string) => void
const chunk = 64 * 1024
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

function rssBytes(pid: number | undefined): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024
}

async function upload(port: number, key: SigningKey, bytes: Buffer, name: string): Promise<{ status: number; body: string }> {
  const headers = await signRequest(key, { clientId, audience }, bytes, 'application/pdf')
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: `/v1/tenants/${tenant}/documents`, headers: { ...headers, 'content-length': String(bytes.length), 'x-document-name': name } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (s: string) => (body += s)).once('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.once('error', reject)
    Readable.from((function* () {
      for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk)
    })()).pipe(req)
  })
}

/** The server's process.memoryUsage() before and after a full GC, asked for on its stdin. */
const memoryUsage = (child: ChildProcess) =>
  new Promise<{ now: NodeJS.MemoryUsage; collected: NodeJS.MemoryUsage }>((resolve) => {
    child.stdout?.once('data', (line: Buffer) => resolve(JSON.parse(line.toString()) as { now: NodeJS.MemoryUsage; collected: NodeJS.MemoryUsage }))
    child.stdin?.write('mem\n')
  })

export async function uploadMemory(env: Record<string, string>, home: string, key: SigningKey, log: Log) {
  const server = await startChild<{ port: number }>('snodo app', 'bench/practices/upload-server.ts', { ...env, BENCH_DOCUMENTS_DIR: join(home, 'documents') })
  try {
    const pid = server.child.pid
    const warm = await upload(server.info.port, key, randomBytes(2 ** 20), 'warm-up.pdf') // loads the route, the store, the crypto
    if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}: ${warm.body.slice(0, 300)}`)
    await sleep(500)
    const idle: number[] = []
    for (let i = 0; i < 10; i++, await sleep(100)) idle.push(rssBytes(pid))
    const baseline = median(idle)
    const bytes = randomBytes(50 * 2 ** 20)
    const samples: number[] = []
    const sampler = setInterval(() => samples.push(rssBytes(pid)), 100)
    const t0 = performance.now()
    const answer = await upload(server.info.port, key, bytes, 'planimetria.pdf').finally(() => clearInterval(sampler))
    const seconds = (performance.now() - t0) / 1000
    samples.push(rssBytes(pid))
    if (answer.status !== 201) throw new Error(`the 50 MB upload answered ${answer.status}: ${answer.body.slice(0, 300)}`)
    const stored = JSON.parse(answer.body) as { sha256: string; size: number }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (stored.sha256 !== sha256 || stored.size !== bytes.length) throw new Error(`stored ${JSON.stringify(stored)}, sent ${bytes.length} bytes with sha256 ${sha256}`)
    const after = await memoryUsage(server.child)
    await sleep(1_000)
    const settled = rssBytes(pid)
    const peak = Math.max(...samples)
    const growth = peak - baseline
    log(`  50 MiB streamed in ${bytes.length / chunk} chunks of 64 KiB in ${seconds.toFixed(2)} s (${mib(bytes.length / seconds)}/s); answered 201, sha256 and size match`)
    log(`  server RSS: baseline ${mib(baseline)} (median of 10 idle samples), peak ${mib(peak)} over ${samples.length} samples every 100 ms → peak − baseline ${mib(growth)} (${((growth / bytes.length) * 100).toFixed(0)} % of the upload): ${growth < bytes.length / 4 ? 'flat' : 'NOT flat'}`)
    const held = (m: NodeJS.MemoryUsage) => `heap used ${mib(m.heapUsed)}, external ${mib(m.external)} (array buffers ${mib(m.arrayBuffers)})`
    log(`  server just after the answer: ${held(after.now)}; after a full GC: ${held(after.collected)}; RSS 1 s later ${mib(settled)}`)
    return { baseline, peak, growth, flat: growth < bytes.length / 4 }
  } finally {
    await stopChild(server.child)
  }
}
