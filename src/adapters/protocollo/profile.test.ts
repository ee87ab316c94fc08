import { describe, expect, it } from 'vitest'
import { ProtocolProfile, type ProtocolProfileInput } from './profile.ts'
import { type ProtocolSettings, resolveProtocolProfile } from './profiles/index.ts'

const docarea: ProtocolSettings = {
  profile: 'docarea',
  services: { docarea: { wsdl: '/etc/snodo/halley/DOCAREAProto.wsdl', endpoint: 'https://protocollo.comune.example.it/suap.php' } },
  credentials: { username: 'env:DOCAREA_USER', password: 'file:/run/secrets/docarea-password' },
  params: {
    codiceEnte: 'A001',
    codiceAmministrazione: 'c_a001',
    codiceAOO: 'AOO1',
    denominazione: 'Comune',
    indirizzoTelematico: 'p@pec.it',
    unitaOrganizzativa: 'UO1',
  },
}

const problemsOf = (settings: ProtocolSettings) => {
  const resolved = resolveProtocolProfile(settings)
  return resolved.success ? [] : resolved.problems
}

describe('resolving a tenant’s protocollo settings', () => {
  it('gives a complete profile for each built-in vendor once the operator says what only they know', () => {
    expect(problemsOf(docarea)).toEqual([])
    const docer = {
      profile: 'docer' as const,
      services: {
        auth: { wsdl: 'https://docer.example.it/AuthenticationService?wsdl' },
        documenti: { wsdl: '/w/DocerServices.wsdl' },
        protocollo: { wsdl: '/w/WSProtocollazione.wsdl' },
      },
      credentials: { username: 'env:U', password: 'env:P' },
      params: { codiceEnte: 'EMR', codiceAmministrazione: 'c_d969', codiceAOO: 'AOO', denominazione: 'Comune', indirizzoTelematico: 'p@pec.it' },
    }
    expect(problemsOf(docer)).toEqual([])
  })

  it('names, by path, the WSDL, params and credentials still missing', () => {
    const problems = problemsOf({ profile: 'docarea', params: { codiceEnte: 'A001' } })
    expect(problems).toContain('services.docarea.wsdl: the operator gives the vendor WSDL (a file path or URL)')
    expect(problems).toContain('auth.step: secrets.password: no such credential')
    expect(problems).toContain('xml.segnatura: params.denominazione: no such param')
  })

  it('refuses a credential that is not a secret reference, and a service the profile does not have', () => {
    expect(problemsOf({ ...docarea, credentials: { username: 'env:U', password: 'hunter2' } })[0]).toMatch(/^credentials\.password: must be a secret reference/)
    expect(problemsOf({ ...docarea, services: { ...docarea.services, other: { wsdl: 'x' } } })).toEqual(['services.other: the profile has no such service'])
  })

  it("adds an installation's own in-band codes over the profile's, keeping the profile's", () => {
    const resolved = resolveProtocolProfile({ ...docarea, errors: { codes: { '901': 'unavailable' } } })
    expect(resolved.success && resolved.profile.errors).toMatchObject({
      codes: { '108': 'rejected', '112': 'rejected', '901': 'unavailable' },
      codeKind: 'rejected',
    })
    expect(problemsOf({ ...docarea, errors: { codes: { '901': 'busy' as 'unavailable' } } })[0]).toMatch(/^errors\.codes\.901: /)
  })
})

describe('a profile of an operator’s own', () => {
  const base: ProtocolProfileInput = {
    name: 'vendor-x',
    services: { ws: { wsdl: '/x.wsdl' } },
    auth: { type: 'none' },
    credentials: { user: 'env:X_USER', password: 'env:X_PASSWORD' },
    steps: [
      {
        name: 'registra',
        service: 'ws',
        operation: 'Registra',
        args: { User_ID: '{{secrets.user}}', Pwd: '{{secrets.password}}', Oggetto: '{{practice.subject}}' },
        commit: true,
        outputs: { n: 'Numero' },
      },
    ],
    result: { number: '{{steps.registra.n}}', year: '{{steps.registra.n}}', date: '{{steps.registra.n}}' },
  }
  const issues = (profile: ProtocolProfileInput) => {
    const parsed = ProtocolProfile.safeParse(profile)
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  }

  it('accepts credentials in the body when they come from secret references', () => {
    expect(issues(base)).toEqual([])
  })

  it('refuses a password written in the profile', () => {
    const step = { ...base.steps[0]!, args: { ...base.steps[0]!.args, Pwd: 'hunter2' } }
    expect(issues({ ...base, steps: [step] })).toEqual([
      'steps.0.args.Pwd: Pwd must be {{secrets.<name>}}: passwords live in credentials, as secret references',
    ])
  })

  it('wants exactly one registering step, last', () => {
    const upload = { name: 'carica', service: 'ws', operation: 'Carica', commit: false }
    expect(issues({ ...base, steps: [base.steps[0]!, upload] })).toContain('steps: exactly one step registers (commit: true) and it is the last one')
  })

  it('refuses templates naming unknown steps, filters, services and scopes', () => {
    const step = { ...base.steps[0]!, service: 'nope', args: { A: '{{steps.later.x}}', B: '{{practice.subject | shout}}', C: '{{env.HOME}}' } }
    expect(issues({ ...base, steps: [step] })).toEqual([
      'steps.0.service: no service named nope',
      'steps.0: unknown filter shout in {{practice.subject | shout}}',
      'steps.0: steps.later.x: no earlier step of that name',
      'steps.0: env.HOME: a template reads practice, params, secrets, token, steps, item, index, xml',
    ])
  })

  it('takes HTTP Basic and WS-Security credentials by name', () => {
    expect(issues({ ...base, auth: { type: 'basic', username: 'user', password: 'password' } })).toEqual([])
    expect(issues({ ...base, auth: { type: 'wsse', username: 'user', password: 'nope' } })).toEqual(['auth.password: no credential named nope'])
  })
})
