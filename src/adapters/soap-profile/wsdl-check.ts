// Before the first practice: does the operator's profile fit the vendor's WSDL? Loads every
// service's WSDL and checks that each step's service, port and operation exist — what start-up or
// a `check` command can report, instead of the first practice going dead.
import type { ClientTls } from '../http/agent.ts'
import type { SoapProfile, Step } from './profile.ts'
import { createSoapClients } from './soap-clients.ts'
import { createSoapTransport } from './transport.ts'

/** `tls`: the client certificate the vendor wants (platforms.backoffice.tls), as the running client presents it. */
export async function wsdlProblems(profile: SoapProfile, tls?: ClientTls): Promise<string[]> {
  const transport = createSoapTransport({ timeoutMs: profile.timeoutMs, maxAnswerBytes: 16 * 1024 * 1024, tls })
  const clients = createSoapClients(profile, transport)
  const steps: [string, Step][] = [
    ...(profile.auth.type === 'login' ? ([['auth.step', profile.auth.step]] as [string, Step][]) : []),
    ...(profile.search?.steps ?? []).map((s, i): [string, Step] => [`search.steps.${i}`, s]),
    ...profile.steps.map((s, i): [string, Step] => [`steps.${i}`, s]),
  ]
  const problems: string[] = []
  try {
    for (const [path, step] of steps) {
      try {
        const client = await clients.load(step.service)
        const where: { service?: string; port?: string } = profile.services[step.service] ?? {}
        const described = client.describe() as Record<string, Record<string, Record<string, unknown>>>
        const service = where.service ?? Object.keys(described)[0] ?? ''
        const port = where.port ?? Object.keys(described[service] ?? {})[0] ?? ''
        if (!described[service]) problems.push(`${path}: the WSDL of ${step.service} has no service ${service || '(none)'}`)
        else if (!described[service][port])
          problems.push(`${path}: the WSDL of ${step.service} has no port ${port} (it has ${Object.keys(described[service]).join(', ')})`)
        else if (!(step.operation in described[service][port])) problems.push(`${path}: ${service}/${port} has no operation ${step.operation}`)
      } catch (error) {
        problems.push(`${path}: ${(error as Error).message}`)
      }
    }
  } finally {
    await transport.close()
  }
  return [...new Set(problems)]
}
