// Node's HTTP parser and file read streams hand over each piece of a streamed document in a fresh
// buffer, and V8 frees those only when it collects. An app whose young generation grew during
// start-up is not scavenged while a document streams, so the pieces piled up to V8's 64 MiB
// external-memory trigger: a 50 MiB upload grew the process by 49 MiB, a 200 MiB one by 63 MiB.
// A scavenge after every few MiB of document bytes keeps that growth flat (about 7 MiB at 50 and
// 200 MiB, `node bench/uploads.ts`), for about half a millisecond each on the development host
// (a few ms when much young data is alive), and only while documents stream.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Document bytes through this process between two scavenges. */
export const scavengeEveryBytes = 8 * 2 ** 20

type Gc = (options: { type: 'minor' | 'major' }) => void

/**
 * V8's collector, asked for a young-generation scavenge. `--expose-gc` is switched on only long
 * enough for a new context to hand over its `gc` (as jest's leak detector does); the app's own
 * global never gets one.
 */
export function minorCollection(): () => void {
  const exposed = typeof (globalThis as { gc?: unknown }).gc === 'function'
  if (!exposed) setFlagsFromString('--expose-gc')
  const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as Gc | undefined
  if (!exposed) setFlagsFromString('--no-expose-gc')
  // A runtime that would not hand it over still works: its uploads are bounded by V8's own trigger.
  return typeof gc === 'function' ? () => gc({ type: 'minor' }) : () => {}
}

/** Counts bytes and calls `collect` each time `everyBytes` more have passed, whichever stream they came through. */
export function garbagePacer(everyBytes: number, collect: () => void): (bytes: number) => void {
  let sinceLast = 0
  return (bytes) => {
    sinceLast += bytes
    if (sinceLast < everyBytes) return
    sinceLast = 0
    collect()
  }
}

/**
 * One pace for the process: parallel uploads and downloads add up, so N of them do not scavenge N
 * times as often. The collector comes with a V8 context of its own (~2 ms, ~0.3 MiB of heap): made
 * the first time it is needed, so a process that never streams 8 MiB (the CLI) does not pay for it.
 */
let collectYoung: (() => void) | undefined
export const documentBytesPassed = garbagePacer(scavengeEveryBytes, () => {
  collectYoung ??= minorCollection()
  collectYoung()
})
