// Part 1, bare baseline: the `soap` library's server (soap.listen on node:http), built from the real
// paForNode.wsdl and its xsd (read where the contracts live, never copied), answering every paSendRT
// and paSendRTV2 with outcome OK: the library's own parse of the envelope, nothing checked, nothing
// stored. Prints {"port"} once the WSDL is loaded and the server listens.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { listen } from 'soap'

const wsdlPath = resolve('../shared/contracts/pagopa/nodo/wsdl/paForNode.wsdl')
const ok = () => ({ outcome: 'OK' })
const server = createServer((_req, res) => void res.writeHead(404).end()) // soap.listen answers its path; anything else is 404

await new Promise<void>((ready, fail) => {
  listen(server, {
    path: '/pagopa/nodo',
    services: { paForNodeService: { paForNodePort: { paSendRT: ok, paSendRTV2: ok } } },
    xml: readFileSync(wsdlPath, 'utf8'),
    uri: wsdlPath, // the base its xsd import is resolved against
    callback: (err: unknown) => (err ? fail(err) : ready()),
  })
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })))

const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
