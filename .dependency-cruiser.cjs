// The layering of DESIGN §2, checked by `npm test`: routes → domain → queues → ports → adapters, no
// upward import, no adapter importing another, no cycle. An exception names its reason.
// The audit log is shared infrastructure (like the logger): the engine's bulk replay writes to it.
const domain = '^src/(payments|messages|practices|documents|citizens|events|webhooks|resources|platforms)/'
const sharedAdapterParts = '^src/adapters/(http|soap-profile|simulator)/'

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'engine-knows-no-domain',
      comment: "The delivery engine runs the handlers it is given; the wiring is the composition root's (src/workers.ts).",
      severity: 'error',
      from: { path: '^src/queues/' },
      to: { path: [domain, '^src/routes/', '^src/adapters/'] },
    },
    {
      name: 'routes-and-queues-use-ports',
      comment: 'Routes and queues reach a platform through its port, never its client, mapping or simulator.',
      severity: 'error',
      from: { path: '^src/(routes|queues)/' },
      to: {
        path: '^src/adapters/',
        pathNot: [
          '^src/adapters/[^/]+/port\\.ts$',
          '^src/adapters/[^/]+/[^/]+/port\\.ts$',
          // The station is inbound: the Node calls Snodo, so its route mounts the station's codec.
          '^src/adapters/pagopa/station/answer\\.ts$',
        ],
      },
    },
    {
      name: 'domain-uses-ports',
      comment: 'The domain speaks to platforms through ports; the composition root picks the clients.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^src/adapters/', pathNot: ['/port\\.ts$', '^src/adapters/http/'] },
    },
    {
      name: 'adapters-know-no-domain',
      comment: 'An adapter imports no domain, route, queue or composition root.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: [domain, '^src/routes/', '^src/queues/', '^src/(deps|workers|app|main)\\.ts$'] },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment: 'A platform adapter uses only its own folder and the shared parts (http, soap-profile, simulator harness).',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/', pathNot: sharedAdapterParts },
      to: { path: '^src/adapters/([^/]+)/', pathNot: ['^src/adapters/$1/', sharedAdapterParts] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', '\\.suite\\.ts$', '^src/contracts/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
