// Starts one BullMQ worker per queue that has a processor. Processors arrive with the delivery
// engine and the platform adapters; the worker role already runs and shuts down cleanly without them.
import { type Processor, Worker } from 'bullmq'
import type { Deps } from '../deps.ts'
import type { QueueName } from './names.ts'

export type Processors = Partial<Record<QueueName, { process: Processor; concurrency: number }>>

export async function startWorkers(deps: Deps, processors: Processors = {}): Promise<{ close(): Promise<void> }> {
  const workers = Object.entries(processors).map(
    ([name, p]) =>
      new Worker(name, p.process, {
        connection: { url: deps.env.REDIS_URL, maxRetriesPerRequest: null },
        prefix: deps.env.SNODO_REDIS_PREFIX,
        concurrency: p.concurrency,
      }),
  )
  await Promise.all(workers.map((w) => w.waitUntilReady()))
  if (workers.length === 0) deps.logger.info('worker role: no queue processors registered yet')
  return { close: async () => void (await Promise.all(workers.map((w) => w.close()))) }
}
