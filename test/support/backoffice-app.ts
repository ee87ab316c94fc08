// Test apps whose tenant comune-a takes practices: its back-office (the protocollo it registers at, its
// services and their routing) as the test gives it, bodies up to 1 MiB, and the protocollo simulator on
// loopback that most of them register at.
import { createProtocolloSimulator, type ProtocolloSimulator } from '../../src/adapters/protocollo/simulator/app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../../src/adapters/simulator/harness.ts'
import type { TenantConfig } from '../../src/config/schema.ts'
import { createTestApp } from './test-app.ts'

type Backoffice = NonNullable<TenantConfig['platforms']['backoffice']>

export function createBackofficeTestApp(
  backoffice: Omit<Backoffice, 'enabled'>,
  o: { platforms?: Omit<Partial<TenantConfig['platforms']>, 'backoffice'>; config?: Record<string, unknown> } = {},
) {
  return createTestApp({
    bodyBytes: 1_048_576,
    tenantOverrides: { platforms: { ...o.platforms, backoffice: { enabled: true, ...backoffice } } as TenantConfig['platforms'] },
    config: o.config,
  })
}

/** The sandbox's protocollo simulator, its credentials in the environment, and the settings that point a tenant at it. */
export async function startProtocollo(
  options?: Parameters<typeof createProtocolloSimulator>[1],
): Promise<{ protocollo: ProtocolloSimulator; running: RunningSimulator; settings: Pick<Backoffice, 'baseUrl' | 'protocol'> }> {
  const protocollo = createProtocolloSimulator(createSimulatorContext({ idPrefix: 'prot-' }), options)
  const running = await startSimulator(protocollo.app)
  Object.assign(process.env, protocollo.env)
  return { protocollo, running, settings: { baseUrl: running.url, protocol: { ...protocollo.settingsFor(running.url), timeoutMs: 1_000 } } }
}
