import { constants, PerformanceObserver } from 'node:perf_hooks'
import { setTimeout as tick } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { garbagePacer, minorCollection } from './young-garbage.ts'

describe('garbagePacer', () => {
  it('collects once per `everyBytes` passed, however the bytes are split between streams', () => {
    let collections = 0
    const passed = garbagePacer(100, () => collections++)
    for (let i = 0; i < 99; i++) passed(1)
    expect(collections).toBe(0)
    passed(1)
    expect(collections).toBe(1)
    passed(60)
    passed(60) // 120 since the last: one more, and counting starts again
    expect(collections).toBe(2)
    passed(99)
    expect(collections).toBe(2)
  })
})

describe('minorCollection', () => {
  it('frees young buffers nobody references any more, without exposing gc on the global', async () => {
    // A forced young-generation collection is ours: V8 never forces one by itself.
    const forcedMinor: unknown[] = []
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { kind, flags } = (entry as PerformanceEntry & { detail: { kind: number; flags: number } }).detail
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR && flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forcedMinor.push(entry)
      }
    })
    observer.observe({ entryTypes: ['gc'] })
    try {
      const collect = minorCollection()
      expect((globalThis as { gc?: unknown }).gc).toBeUndefined()
      let pieces: Buffer[] | undefined = Array.from({ length: 32 }, () => Buffer.alloc(2 ** 20, 1))
      const held = process.memoryUsage().arrayBuffers
      expect(pieces.length).toBe(32)
      pieces = undefined
      await tick(0)
      collect()
      await tick(0)
      expect(held - process.memoryUsage().arrayBuffers).toBeGreaterThan(24 * 2 ** 20)
      await tick(20) // gc entries reach observers asynchronously
      expect(forcedMinor).toHaveLength(1)
    } finally {
      observer.disconnect()
    }
  })
})
