// Part 1, Snodo side: the whole app (role api: no workers, so only the accept path is measured) on
// real Redis with the run's prefix, and one webhook endpoint to ping. Prints {"port","endpointId"}
// once it listens. The orchestrator deletes the Redis keys; this process only closes its connections.
import { serveBenchApp } from '../serve-app.ts'
import { benchDeps, tenant } from './snodo-config.ts'

const deps = await benchDeps('api')
// Created through the store: the route's SSRF check would refuse a loopback URL that nothing calls anyway.
const endpoint = await deps.endpoints.create(tenant, {
  url: process.env.BENCH_ENDPOINT_URL ?? 'http://127.0.0.1:9/unused',
  events: ['*'],
  description: 'bench',
})
serveBenchApp(deps, { extra: { endpointId: endpoint.id } })
