// Prometheus metrics, one registry per process (or per app in tests).
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

export type Metrics = {
  registry: Registry
  requests: Counter<'method' | 'route' | 'status'>
  latency: Histogram<'method' | 'route'>
  deliveryAttempts: Counter<'target' | 'outcome'>
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry()
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry })
  return {
    registry,
    requests: new Counter({
      name: 'snodo_http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'snodo_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'snodo_delivery_attempts_total',
      help: 'Delivery attempts by target and outcome (succeeded, failed and retrying, dead)',
      labelNames: ['target', 'outcome'],
      registers: [registry],
    }),
  }
}
