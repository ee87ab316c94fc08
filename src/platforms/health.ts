// How each platform a tenant uses looks from here: a cheap reachability probe of its base URL,
// cached so that GET /v1/tenants/{id} never waits on a platform more than once per interval.
import { type Dispatcher, request } from 'undici'
import type { MutualTls, PlatformName, PlatformsConfig } from '../config/schema.ts'
import { platformNames } from '../config/schema.ts'

export type PlatformStatus = 'up' | 'down' | 'disabled'
export type PlatformHealth = { platform: PlatformName; enabled: boolean; status: PlatformStatus; checkedAt: string; detail?: string }

export type HealthProbe = { platformsOf(platforms: PlatformsConfig): Promise<PlatformHealth[]> }

export type HealthProbeOptions = {
  cacheMs?: number
  timeoutMs?: number
  clock?: () => Date
  /** The pool that presents a platform's client certificate; without it a platform behind mutual TLS would always look down. */
  dispatcherFor?: (tls: MutualTls) => Dispatcher
}

export function createHealthProbe(options: HealthProbeOptions = {}): HealthProbe {
  const cacheMs = options.cacheMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 2_000
  const clock = options.clock ?? (() => new Date())
  const cache = new Map<string, { at: number; result: Promise<Omit<PlatformHealth, 'platform' | 'enabled'>> }>()

  const probe = (url: string, tls: MutualTls | undefined) => {
    const now = clock().getTime()
    const key = JSON.stringify([url, tls?.cert, tls?.key, tls?.ca])
    const hit = cache.get(key)
    if (hit && now - hit.at < cacheMs) return hit.result
    const dispatcher = tls && options.dispatcherFor?.(tls)
    const result = reach(url, timeoutMs, dispatcher).then((outcome) => ({ ...outcome, checkedAt: clock().toISOString() }))
    cache.set(key, { at: now, result })
    return result
  }

  return {
    platformsOf(platforms) {
      return Promise.all(
        platformNames.flatMap((platform): Promise<PlatformHealth>[] => {
          const settings = platforms[platform]
          if (!settings) return []
          if (!settings.enabled) return [Promise.resolve({ platform, enabled: false, status: 'disabled' as const, checkedAt: clock().toISOString() })]
          return [probe(settings.baseUrl, settings.tls).then((outcome): PlatformHealth => ({ platform, enabled: true, ...outcome }))]
        }),
      )
    },
  }
}

async function reach(url: string, timeoutMs: number, dispatcher: Dispatcher | undefined): Promise<{ status: PlatformStatus; detail?: string }> {
  try {
    const response = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, ...(dispatcher ? { dispatcher } : {}) })
    await response.body.dump()
    return response.statusCode < 500 ? { status: 'up' } : { status: 'down', detail: `HTTP ${response.statusCode}` }
  } catch (error) {
    return { status: 'down', detail: error instanceof Error ? error.message : 'unreachable' }
  }
}
