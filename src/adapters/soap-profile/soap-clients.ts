// One soap client per service of a profile, built from the vendor's WSDL (a file or a URL the
// operator gives) on first use and kept; the endpoint comes from the profile, because the WSDLs'
// soap:address values are placeholders (backoffice/FACTS.md §0). Calls go through our undici
// transport, on the port the profile names (SOAP 1.1 by default, FACTS §3.3).
import { type Client, createClientAsync, type IOptions, WSSecurity } from 'soap'
import type { SoapProfile } from './profile.ts'
import { type SoapTransport, TransportFailure } from './transport.ts'

/** The profile and the vendor's WSDL do not fit together: nothing was sent. */
export class ProfileMismatch extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause })
    this.name = 'ProfileMismatch'
  }
}

export type Credentials = { username: string; password: string }

export type SoapCall = {
  service: string
  operation: string
  args: unknown
  timeoutMs: number
  /** HTTP Basic or WS-Security UsernameToken, per the profile's auth. */
  credentials?: Credentials
}

export type SoapClients = { call(call: SoapCall): Promise<unknown>; load(service: string): Promise<Client> }

export function createSoapClients(profile: SoapProfile, transport: SoapTransport): SoapClients {
  const loaded = new Map<string, Promise<Client>>()

  const load = (name: string): Promise<Client> => {
    let client = loaded.get(name)
    if (!client) {
      const service = profile.services[name]
      if (!service) return Promise.reject(new ProfileMismatch(`the profile has no service ${name}`))
      const options: IOptions = {
        endpoint: service.endpoint,
        forceSoap12Headers: service.soap12,
        disableCache: true,
        request: transport as unknown as IOptions['request'],
      }
      client = createClientAsync(service.wsdl, options).catch((error: unknown) => {
        if (error instanceof TransportFailure) throw error
        throw new ProfileMismatch(`cannot read the WSDL of service ${name} (${service.wsdl}): ${error instanceof Error ? error.message : String(error)}`, error)
      })
      // A WSDL that could not be read is tried again next time, not remembered as broken.
      client.catch(() => loaded.delete(name))
      loaded.set(name, client)
    }
    return client
  }

  const call = async ({ service, operation, args, timeoutMs, credentials }: SoapCall): Promise<unknown> => {
    const client = await load(service)
    const method = methodOf(client, profile.services[service] ?? {}, operation)
    const headers: Record<string, string> = {}
    if (profile.auth.type === 'basic' && credentials) {
      headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    }
    return new Promise((resolve, reject) => {
      // The envelope is built synchronously inside method(): setting the security just before is safe.
      if (profile.auth.type === 'wsse' && credentials) {
        client.setSecurity(
          new WSSecurity(credentials.username, credentials.password, { passwordType: profile.auth.passwordType, hasTimeStamp: profile.auth.timestamp }),
        )
      }
      method(args, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result)), { timeout: timeoutMs }, headers)
    })
  }

  return { call, load }
}

type Method = (args: unknown, callback: (error: unknown, result: unknown) => void, options: object, headers: object) => void

/** client[service][port][operation], with the first service and port where the profile names none. */
function methodOf(client: Client, where: { service?: string; port?: string }, operation: string): Method {
  const services = client.describe() as Record<string, Record<string, Record<string, unknown>>>
  const serviceName = where.service ?? Object.keys(services)[0]
  const ports = serviceName ? services[serviceName] : undefined
  const portName = where.port ?? Object.keys(ports ?? {})[0]
  if (!serviceName || !ports || !portName || !ports[portName]) {
    throw new ProfileMismatch(`the WSDL has no service/port ${where.service ?? '(first)'}/${where.port ?? '(first)'}`)
  }
  if (!(operation in ports[portName])) throw new ProfileMismatch(`the WSDL's ${serviceName}/${portName} has no operation ${operation}`)
  const method = (client as unknown as Record<string, Record<string, Record<string, Method>>>)[serviceName]?.[portName]?.[operation]
  if (typeof method !== 'function') throw new ProfileMismatch(`the soap client exposes no ${serviceName}.${portName}.${operation}`)
  return method
}
