// The depth scan that runs before a JSON body is parsed: brackets count only outside strings.
import { describe, expect, it } from 'vitest'
import { depthBeyond } from './validate.ts'

describe('depthBeyond', () => {
  it('finds the first bracket past the limit, objects and arrays alike', () => {
    expect(depthBeyond('[[[]]]', 3)).toBeUndefined()
    expect(depthBeyond('[[[[]]]]', 3)).toBe(3)
    expect(depthBeyond('{"a":{"b":[{}]}}', 3)).toBe(11)
  })
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(depthBeyond('{"a":"[[[[{{{{"}', 1)).toBeUndefined()
    expect(depthBeyond('{"a":"\\"[[[[\\\\"}', 1)).toBeUndefined()
    // A string ending in an escaped backslash closes there: the brackets after it count.
    expect(depthBeyond('["\\\\",[[]]]', 2)).toBe(7)
  })
})
