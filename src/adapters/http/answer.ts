// An HTTP answer as every adapter reads it: status, headers and the whole body as text, plus the two
// things each of them looks for in it (one header, a ProblemJson).

export type HttpAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string }

/** One header of an answer, the first when it came more than once. */
export function header(answer: Pick<HttpAnswer, 'headers'>, name: string): string | undefined {
  const value = answer.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** An RFC 9457 ProblemJson ({title, detail}), or an API gateway's {message}; whatever else, nothing. */
export function problemOf(text: string): { title?: string; detail?: string; isProblemJson: boolean } {
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { isProblemJson: false }
    const record = body as Record<string, unknown>
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 500) : undefined)
    if (str(record.title) || str(record.detail)) return { title: str(record.title), detail: str(record.detail), isProblemJson: true }
    return { detail: str(record.message), isProblemJson: false }
  } catch {
    return { isProblemJson: false }
  }
}
