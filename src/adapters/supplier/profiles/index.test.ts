// A tenant's SOAP route, as snodo.config.yaml writes it, resolved to a whole supplier profile — or
// refused at start-up with every problem by path: the config is validated where the operator wrote it.
import { describe, expect, it } from 'vitest'
import { validateConfig } from '../../../config.ts'
import type { SoapRoutingInput } from '../routing.ts'
import { resolveSupplierProfile } from './index.ts'

const suap: SoapRoutingInput = {
  mode: 'soap',
  profile: 'suap',
  endpoint: 'https://gestionale.fornitore.example.it/ws/pratiche',
  auth: { type: 'basic', username: 'env:SUAP_USER', password: 'file:/run/secrets/suap-password' },
  params: { ufficio: 'SUAP di Esempio', codiceAmministrazione: 'c_a001', codiceAOO: 'AOO_SUAP', identificativoSuap: '1234', modulo: 'SCIA' },
}
const problemsOf = (routing: SoapRoutingInput) => {
  const resolved = resolveSupplierProfile(routing)
  return resolved.success ? [] : resolved.problems
}

describe('resolving a SOAP route', () => {
  it('gives a whole profile: our WSDL, the endpoint, Basic auth reading the secret references, the SUAP codes', () => {
    const resolved = resolveSupplierProfile(suap)
    if (!resolved.success) throw new Error(resolved.problems.join('\n'))
    expect(resolved.profile.services.fornitore).toMatchObject({
      endpoint: suap.endpoint,
      port: 'PraticheFornitoreSoap',
      wsdl: expect.stringMatching(/PraticheFornitore\.wsdl$/),
    })
    expect(resolved.profile.auth).toEqual({ type: 'basic', username: 'username', password: 'password' })
    expect(resolved.profile.credentials).toEqual({ username: 'env:SUAP_USER', password: 'file:/run/secrets/suap-password' })
    expect(resolved.profile.params).toMatchObject({ versioneSchema: '1.0.1', identificativoSuap: '1234' })
    expect(resolved.profile.search?.steps.map((s) => s.operation)).toEqual(['cercaPratica'])
    expect(problemsOf({ mode: 'soap', profile: 'pratica', endpoint: suap.endpoint })).toEqual([])
  })

  it('names, by path, what the operator still has to give', () => {
    expect(problemsOf({ mode: 'soap', profile: 'pratica' })).toEqual(["endpoint: the supplier's service URL"])
    const problems = problemsOf({ ...suap, params: { codiceAmministrazione: 'c_a001', identificativoSuap: 'uno' } })
    expect(problems).toContain('xml.riepilogo: params.codiceAOO: no such param')
    expect(problems).toContain('xml.riepilogo: params.ufficio: no such param')
    expect(problems).toContain('params.identificativoSuap: "uno" does not match ^[1-9]\\d*$ (params.identificativoSuap)')
  })

  it('refuses credentials that are not secret references, a bad endpoint and an unknown profile', () => {
    expect(problemsOf({ ...suap, auth: { type: 'wsse', username: 'env:U', password: 'hunter2' } })).toEqual([
      'auth.password: must be a secret reference "env:NAME" or "file:path"',
    ])
    expect(problemsOf({ ...suap, endpoint: 'ftp://x' })[0]).toMatch(/^endpoint: /)
    expect(problemsOf({ ...suap, profile: 'sap' as 'suap' })[0]).toMatch(/^profile: /)
  })

  it('takes a profile of the operator’s own: its WSDL and endpoint by the shortcut when it has one service', () => {
    const own = {
      name: 'acme-pratiche',
      services: { ws: { wsdl: '/placeholder' } },
      auth: { type: 'none' },
      steps: [
        {
          name: 'invia',
          service: 'ws',
          operation: 'InviaPratica',
          commit: true,
          args: { Id: '{{practice.correlationKey}}', Dati: '{{practice.data | json}}' },
          outputs: { id: 'IdPratica' },
        },
      ],
      result: { supplierPracticeId: '{{steps.invia.id}}' },
    }
    const resolved = resolveSupplierProfile({ mode: 'soap', profile: own, wsdl: '/etc/snodo/acme.wsdl', endpoint: 'https://acme.example.it/ws' })
    expect(resolved.success && resolved.profile.services.ws).toMatchObject({ wsdl: '/etc/snodo/acme.wsdl', endpoint: 'https://acme.example.it/ws' })
    // Without a search, a push whose outcome is unknown goes dead for an operator, never re-sent blindly.
    expect(resolved.success && resolved.profile.onUncertainCommit).toBe('dead')
    const two = { ...own, services: { a: { wsdl: '/a' }, b: { wsdl: '/b' } } }
    expect(problemsOf({ mode: 'soap', profile: two, endpoint: 'https://acme.example.it/ws' })).toEqual([
      'endpoint: the profile has 2 services: give services.<name>.endpoint',
    ])
    expect(problemsOf({ mode: 'soap', profile: { ...own, steps: [{ ...own.steps[0], args: { X: '{{practice.nope | shout}}' } }] } })).toEqual([
      'steps.0: unknown filter shout in {{practice.nope | shout}}',
    ])
  })
})

describe('a SOAP route in snodo.config.yaml', () => {
  const configWith = (routing: unknown) => ({
    publicUrl: 'https://snodo.example.it',
    signing: { keysDir: '/tmp/keys' },
    tenants: [
      {
        id: 'comune-a',
        name: 'Comune A',
        fiscalCode: '00000000001',
        platforms: {
          backoffice: {
            baseUrl: 'https://protocollo.example.it',
            protocol: {
              profile: 'docarea',
              services: { docarea: { wsdl: '/w.wsdl' } },
              credentials: { username: 'env:P_USER', password: 'env:P_PASSWORD' },
              params: {
                codiceEnte: 'A',
                codiceAmministrazione: 'c_a',
                codiceAOO: 'AOO',
                denominazione: 'Comune',
                indirizzoTelematico: 'p@pec.it',
                unitaOrganizzativa: 'UO',
              },
            },
            services: [{ serviceCode: 'SUAP-02', name: 'SUAP', routing }],
          },
        },
      },
    ],
    clients: [{ id: 'portal', jwksUrl: 'https://portal.example.it/jwks.json', tenants: ['comune-a'], scopes: ['practices:write'] }],
  })
  const env = { P_USER: 'u', P_PASSWORD: 'p', SUAP_USER: 'snodo' }
  const problems = (routing: unknown) => {
    try {
      validateConfig(configWith(routing), 'live', 'test', env)
      return []
    } catch (error) {
      return (error as { problems: { path: string; message: string }[] }).problems
    }
  }

  it('starts with a resolvable route, and refuses, by path, one that does not resolve or whose secrets do not', () => {
    expect(problems({ ...suap, auth: { type: 'basic', username: 'env:SUAP_USER', password: 'env:SUAP_USER' } })).toEqual([])
    expect(problems({ ...suap, endpoint: undefined })).toEqual([
      {
        path: 'tenants.0.platforms.backoffice.services.0.routing.auth.password',
        message: expect.stringContaining('file:/run/secrets/suap-password cannot be resolved'),
      },
      { path: 'tenants.0.platforms.backoffice.services.0.routing', message: "endpoint: the supplier's service URL" },
    ])
    expect(problems({ ...suap, documents: 'attached' })[0]).toMatchObject({ path: 'tenants.0.platforms.backoffice.services.0.routing.documents' })
  })
})
