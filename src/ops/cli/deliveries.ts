// snodo deliveries list | show | replay: the ops API, signed, from a terminal.
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { apiClient, clientOption } from './signed-client.ts'

type Filter = { status?: string; platform?: string; tenant?: string; operation?: string; errorCode?: string; since?: string; until?: string }
type Delivery = {
  id: string
  tenant: string
  target: string
  operation: string
  status: string
  attemptCount: number
  updatedAt: string
  lastError?: { kind: string; upstreamStatus?: number; upstreamCode?: string }
}
type Batch = { id: string; status: string; total: number; replayed: number; skipped: number }

const filterOptions = (command: Command) =>
  command
    .option('--status <status>', 'queued, in_progress, retrying, succeeded, dead, paused')
    .option('--platform <platform>', 'webhooks, pagopa, appio, send, backoffice')
    .option('--tenant <tenant>', 'tenant id')
    .option('--operation <queue>', 'the queue, e.g. webhooks')
    .option('--error-code <code>', "the upstream's code or an error kind (timeout, unavailable…)")
    .option('--since <when>', 'ISO instant or duration back from now: 90s, 15m, 2h, 7d')
    .option('--until <when>', 'ISO instant or duration back from now')
    .option(...clientOption)

const query = (f: Filter) => new URLSearchParams(Object.entries(f).filter(([k, v]) => v !== undefined && k !== 'client') as [string, string][])

export function registerDeliveries(program: Command) {
  const deliveries = program.command('deliveries').description('find, inspect and replay deliveries')

  filterOptions(deliveries.command('list').description('deliveries matching the filters, newest first'))
    .option('--limit <n>', 'how many at most', '50')
    .option('--json', 'one JSON object per line')
    .action(async (options: Filter & { client?: string; limit: string; json?: boolean }) => {
      const api = apiClient(options.client)
      const params = query({
        status: options.status,
        platform: options.platform,
        tenant: options.tenant,
        operation: options.operation,
        errorCode: options.errorCode,
        since: options.since,
        until: options.until,
      })
      let left = Number(options.limit)
      let cursor: string | undefined
      do {
        params.set('limit', String(Math.min(left, 500)))
        if (cursor) params.set('cursor', cursor)
        const page = (await api('GET', `/v1/deliveries?${params}`)).body as { items: Delivery[]; nextCursor?: string }
        for (const d of page.items) console.log(options.json ? JSON.stringify(d) : line(d))
        left -= page.items.length
        cursor = page.nextCursor
      } while (cursor && left > 0)
    })

  deliveries
    .command('show')
    .description('one delivery with every attempt')
    .argument('<id>')
    .option(...clientOption)
    .action(async (id: string, options: { client?: string }) => {
      console.log(JSON.stringify((await apiClient(options.client)('GET', `/v1/deliveries/${encodeURIComponent(id)}`)).body, null, 2))
    })

  filterOptions(deliveries.command('replay').description('replay one dead delivery, or every dead delivery the filters match'))
    .argument('[id]', 'one delivery; without it, the filters choose')
    .requiredOption('--reason <text>', 'why: written to the audit log')
    .option('--dry-run', 'only count what would be replayed')
    .action(async (id: string | undefined, options: Filter & { client?: string; reason: string; dryRun?: boolean }) => {
      const api = apiClient(options.client)
      if (id) {
        const d = (await api('POST', `/v1/deliveries/${encodeURIComponent(id)}/replay`, { reason: options.reason })).body as Delivery
        console.log(`replaying ${d.id}: ${d.status}`)
        return
      }
      if (options.status && options.status !== 'dead') throw new Error('only dead deliveries can be replayed: --status dead, or leave it out')
      const filter = Object.fromEntries(
        Object.entries({
          platform: options.platform,
          tenant: options.tenant,
          operation: options.operation,
          errorCode: options.errorCode,
          since: options.since,
          until: options.until,
        }).filter(([, v]) => v !== undefined),
      )
      const answer = (await api('POST', '/v1/deliveries/replay', { filter, reason: options.reason, dryRun: options.dryRun ?? false })).body as Batch & {
        matched?: number
      }
      if (options.dryRun) return console.log(`${answer.matched} dead deliveries match; nothing replayed (dry run)`)
      console.log(await follow(api, answer))
    })
}

/** Polls the batch with a progress bar (on a terminal) until it is done; answers the summary line. */
async function follow(api: ReturnType<typeof apiClient>, started: Batch): Promise<string> {
  const bar = new SingleBar({ format: 'replaying [{bar}] {value}/{total} {percentage}% | {eta_formatted} left', noTTYOutput: false, stream: process.stderr })
  bar.start(started.total, 0)
  let batch = started
  while (batch.status !== 'done') {
    await new Promise((resolve) => setTimeout(resolve, 250))
    batch = (await api('GET', `/v1/replay-batches/${batch.id}`)).body as Batch
    bar.update(batch.replayed + batch.skipped)
  }
  bar.stop()
  return `batch ${batch.id}: ${batch.replayed} replayed, ${batch.skipped} skipped (no longer dead) of ${batch.total}`
}

function line(d: Delivery): string {
  const error = d.lastError
    ? ` ${d.lastError.kind}${d.lastError.upstreamStatus ? ` ${d.lastError.upstreamStatus}` : ''}${d.lastError.upstreamCode ? ` ${d.lastError.upstreamCode}` : ''}`
    : ''
  return [d.id, d.tenant, d.target, d.status.padEnd(11), `attempts ${d.attemptCount}`, d.updatedAt].join('  ') + error
}
