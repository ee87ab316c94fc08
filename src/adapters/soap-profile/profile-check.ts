// What zod's shapes cannot say about a profile: every template names something that exists, the
// committing call is the last step, no password is written in clear in the profile, and a document's
// `requires` read only the practice and params.
import type { z } from 'zod'
import type { SoapProfile, Step, Tree } from './profile.ts'
import { unmetRequirements } from './render.ts'
import { filterNames, pathsIn } from './template.ts'

type Issue = { path: (string | number)[]; message: string }
/** The templates a kind of profile reads its outcome with: from the answers, and from a search. */
export type ResultTemplates = { result: Record<string, string | undefined>; search?: Record<string, string | undefined> }

const roots = new Set(['practice', 'params', 'secrets', 'token', 'steps', 'item', 'index', 'xml'])
const secretLike = /pass(word)?$|pwd$|secret/i

/** A zod refinement for a kind of profile, told where its result templates are. */
export function checkProfile<P extends SoapProfile>(results: (profile: P) => ResultTemplates) {
  return (profile: P, ctx: z.RefinementCtx): void => {
    for (const issue of profileIssues(profile, results(profile))) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
  }
}

export function profileIssues(profile: SoapProfile, results: ResultTemplates): Issue[] {
  const issues: Issue[] = []
  const commits = profile.steps.flatMap((s, i) => (s.commit ? [i] : []))
  if (commits.length !== 1 || commits[0] !== profile.steps.length - 1) {
    issues.push({ path: ['steps'], message: 'exactly one step registers (commit: true) and it is the last one' })
  }
  const auth = profile.auth
  if (auth.type === 'login' && !auth.step.outputs.token) issues.push({ path: ['auth', 'step', 'outputs'], message: 'a login step has an output named token' })
  if (auth.type === 'basic' || auth.type === 'wsse') {
    for (const field of ['username', 'password'] as const) {
      if (!(auth[field] in profile.credentials)) issues.push({ path: ['auth', field], message: `no credential named ${auth[field]}` })
    }
  }
  const sequences: [string, Step[]][] = [
    ['search', [...(auth.type === 'login' ? [auth.step] : []), ...(profile.search?.steps ?? [])]],
    ['steps', [...(auth.type === 'login' ? [auth.step] : []), ...profile.steps]],
  ]
  for (const [where, steps] of sequences) {
    const earlier = new Set<string>()
    for (const [i, step] of steps.entries()) {
      if (where === 'search' && auth.type === 'login' && i === 0) {
        earlier.add(step.name)
        continue
      }
      const offset = auth.type === 'login' ? 1 : 0
      const at = auth.type === 'login' && i === 0 ? ['auth', 'step'] : where === 'search' ? ['search', 'steps', i - offset] : ['steps', i - offset]
      if (earlier.has(step.name)) issues.push({ path: [...at, 'name'], message: `step name ${step.name} is used twice` })
      if (!(step.service in profile.services)) issues.push({ path: [...at, 'service'], message: `no service named ${step.service}` })
      const expressions = [step.forEach, step.when].filter((e) => e !== undefined)
      issues.push(...templateIssues(profile, [...leaves(step.args), ...expressions.map((e) => `{{${e}}}`)], earlier, at))
      // Outputs and in-band codes read the answer, not the scope: only their filters are checked.
      const answerReads = [...Object.values(step.outputs), step.inBand?.code, step.inBand?.message].filter((e) => e !== undefined)
      issues.push(
        ...filterIssues(
          answerReads.map((e) => `{{${e}}}`),
          at,
        ),
      )
      issues.push(...secretIssues(step.args, at))
      earlier.add(step.name)
    }
    const outcome = where === 'search' ? results.search : results.result
    if (outcome)
      issues.push(
        ...templateIssues(
          profile,
          Object.values(outcome).filter((t) => t !== undefined),
          earlier,
          [where === 'search' ? 'search' : 'result'],
        ),
      )
  }
  for (const [name, doc] of Object.entries(profile.xml)) {
    issues.push(...templateIssues(profile, leaves(doc.body), new Set(profile.steps.map((s) => s.name)), ['xml', name]))
    for (const [expression, pattern] of Object.entries(doc.requires)) {
      const at = ['xml', name, 'requires', expression]
      issues.push(...templateIssues(profile, [`{{${expression}}}`], new Set(), at))
      if (pathsIn(`{{${expression}}}`).some((path) => !/^(practice|params)\./.test(path)))
        issues.push({ path: at, message: 'a requirement reads the practice or params only (it is checked when the practice is submitted)' })
      if (!isRegExp(pattern)) issues.push({ path: at, message: 'not a regular expression' })
      // One that reads params only is the operator's to meet: checked now, not at each practice.
      const paths = pathsIn(`{{${expression}}}`)
      if (isRegExp(pattern) && paths.every((path) => path.startsWith('params.') && path.slice(7) in profile.params)) {
        for (const unmet of unmetRequirements({ requires: { [expression]: pattern } }, { params: profile.params }))
          issues.push({ path: unmet.path.split('.'), message: unmet.message })
      }
    }
  }
  for (const [i, rule] of profile.errors.faults.entries()) {
    if (!isRegExp(rule.match)) issues.push({ path: ['errors', 'faults', i, 'match'], message: 'not a regular expression' })
  }
  const seen = new Set<string>()
  return issues.filter((i) => {
    const key = `${i.path.join('.')}: ${i.message}`
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

function filterIssues(templates: string[], at: (string | number)[]): Issue[] {
  const issues: Issue[] = []
  for (const template of templates) {
    for (const filter of [...template.matchAll(/\{\{([^{}]+)\}\}/g)].flatMap((m) => (m[1] as string).split(/(?<!\|)\|(?!\|)/).slice(1))) {
      const name = filter.trim().split(':')[0] as string
      if (!(filterNames as readonly string[]).includes(name)) issues.push({ path: at, message: `unknown filter ${name} in ${template}` })
    }
  }
  return issues
}

function templateIssues(profile: SoapProfile, templates: string[], steps: Set<string>, at: (string | number)[]): Issue[] {
  const issues: Issue[] = filterIssues(templates, at)
  for (const template of templates) {
    for (const path of pathsIn(template)) {
      const [root = '', name = ''] = path.split('.')
      if (!roots.has(root)) issues.push({ path: at, message: `${path}: a template reads ${[...roots].join(', ')}` })
      else if (root === 'params' && !(name in profile.params)) issues.push({ path: at, message: `${path}: no such param` })
      else if (root === 'secrets' && !(name in profile.credentials)) issues.push({ path: at, message: `${path}: no such credential` })
      else if (root === 'xml' && !(name in profile.xml)) issues.push({ path: at, message: `${path}: no such xml document` })
      else if (root === 'steps' && !steps.has(name)) issues.push({ path: at, message: `${path}: no earlier step of that name` })
    }
  }
  return issues
}

/** A password-like argument must come from a secret reference, never be written in the profile. */
function secretIssues(args: Record<string, Tree>, at: (string | number)[]): Issue[] {
  return Object.entries(args).flatMap(([key, value]) =>
    secretLike.test(key) && typeof value === 'string' && value !== '' && !/^\{\{\s*secrets\.[A-Za-z_]\w*\s*\}\}$/.test(value)
      ? [{ path: [...at, 'args', key], message: `${key} must be {{secrets.<name>}}: passwords live in credentials, as secret references` }]
      : [],
  )
}

/** Every string in a tree, keys like $forEach and $if included (they are expressions). */
export function leaves(tree: Tree | Record<string, Tree>): string[] {
  if (typeof tree === 'string') return [tree]
  if (Array.isArray(tree)) return tree.flatMap(leaves)
  if (tree && typeof tree === 'object') {
    return Object.entries(tree).flatMap(([key, value]) =>
      (key === '$if' || key === '$forEach') && typeof value === 'string' ? [`{{${value}}}`] : leaves(value),
    )
  }
  return []
}
