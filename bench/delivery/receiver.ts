// The webhook receiver for parts 2 and 4: node:http on 127.0.0.1 answering 200 as soon as the body is
// read, nothing checked. Its own process, so it does not share an event loop with a worker.
// Prints {"port"} once it listens; counts what it answered (printed to stderr on exit when BENCH_VERBOSE).
import { createServer } from 'node:http'

let answered = 0
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    answered++
    res.writeHead(200, { 'content-length': '0' }).end()
  })
})
server.keepAliveTimeout = 60_000 // keep the workers' pooled connections across rounds
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })))
const stop = () => {
  if (process.env.BENCH_VERBOSE) console.error(`receiver: ${answered} requests answered`)
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
