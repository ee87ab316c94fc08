// snodo audit verify: reads the whole audit log through the API and checks its hash chain.
import type { Command } from 'commander'
import type { AuditRecord } from '../../audit/audit-log.ts'
import { verifyChain } from '../../audit/verify-chain.ts'
import { ApiError, apiClient, clientOption } from './signed-client.ts'

type Page = { items: (AuditRecord & { id: string })[]; nextCursor?: string; head: string }

export function registerAudit(program: Command) {
  program
    .command('audit')
    .description('the hash-chained audit log')
    .command('verify')
    .description('check that no record was altered, removed or reordered (exit 1 naming the first that was)')
    .option(...clientOption)
    .action(async (options: { client?: string }) => {
      const api = apiClient(options.client)
      const records: Page['items'] = []
      let head = ''
      let after: string | undefined
      do {
        const page = (await api('GET', `/v1/audit?limit=500${after ? `&after=${after}` : ''}`)).body as Page
        records.push(...page.items)
        head ||= page.head // the head when reading began: records appended meanwhile are checked next time
        after = page.nextCursor
      } while (after)
      const end = records.findIndex((r) => r.hash === head)
      const verdict = verifyChain(end >= 0 ? records.slice(0, end + 1) : records, head)
      if (!verdict.ok) throw new ApiError(`✘ audit chain broken after ${verdict.count} good records: ${verdict.problem}`)
      console.log(`✔ audit chain intact: ${verdict.count} records, head ${head}`)
    })
}
