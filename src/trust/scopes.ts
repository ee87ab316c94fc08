// The closed list of scopes a client can hold; each operation names the one it needs.
export const scopes = [
  'tenants:read',
  'diagnostics:use',
  'payments:read',
  'payments:write',
  'messages:read',
  'messages:write',
  'notifications:read',
  'notifications:write',
  'practices:read',
  'practices:write',
  'practices:status',
  'citizens:read',
  'identity:use',
  'webhooks:read',
  'webhooks:write',
  'events:read',
  'deliveries:read',
  'deliveries:replay',
  'platforms:pause',
  'audit:read',
] as const

export type Scope = (typeof scopes)[number]
