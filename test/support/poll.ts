// The one polling loop of the tests (they never sleep a fixed time): until(), waitFor() and
// eventually() are this loop with their own defaults and their own answer to a timeout.

/** Polls `check` every `everyMs` for up to `timeoutMs`; answers whether it held. `errorsMeanNo`: a throw counts as "not yet". */
export async function poll(check: () => boolean | Promise<boolean>, o: { timeoutMs: number; everyMs: number; errorsMeanNo?: boolean }): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs
  const attempt = o.errorsMeanNo
    ? () =>
        Promise.resolve()
          .then(check)
          .catch(() => false)
    : check
  for (;;) {
    if (await attempt()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, o.everyMs))
  }
}
