// snodo platforms pause | resume | pauses: stop and restart deliveries to a platform, nothing lost.
import type { Command } from 'commander'
import { apiClient, clientOption } from './signed-client.ts'

type Options = { tenant?: string; reason: string; client?: string }

export function registerPlatforms(program: Command) {
  const platforms = program.command('platforms').description('pause and resume deliveries to a platform')
  for (const action of ['pause', 'resume'] as const) {
    platforms
      .command(action)
      .description(`${action} deliveries to a platform (webhooks, pagopa, appio, send, backoffice), for one tenant or all`)
      .argument('<platform>')
      .option('--tenant <tenant>', 'only this tenant (default: every tenant)')
      .requiredOption('--reason <text>', 'why: written to the audit log')
      .option(...clientOption)
      .action(async (platform: string, options: Options) => {
        const body = { reason: options.reason, ...(options.tenant ? { tenant: options.tenant } : {}) }
        await apiClient(options.client)('POST', `/v1/platforms/${encodeURIComponent(platform)}/${action}`, body)
        console.log(`${platform}${options.tenant ? ` for ${options.tenant}` : ''}: ${action === 'pause' ? 'paused (jobs stay queued)' : 'resumed'}`)
      })
  }
  platforms
    .command('pauses')
    .description('pauses in force')
    .option(...clientOption)
    .action(async (options: { client?: string }) => {
      const { items } = (await apiClient(options.client)('GET', '/v1/platforms/pauses')).body as {
        items: { platform: string; tenant?: string; reason?: string; by?: string; at?: string }[]
      }
      for (const p of items) console.log(`${p.platform}  ${p.tenant ?? '(every tenant)'}  since ${p.at} by ${p.by}: ${p.reason}`)
      if (items.length === 0) console.log('no pauses')
    })
}
