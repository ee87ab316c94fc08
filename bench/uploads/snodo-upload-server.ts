// The Snodo side: the whole app with the benchmark's tenant and client (delivery/snodo-config.ts),
// uploaded documents kept in BENCH_DOCUMENTS_DIR, a temp directory of the run, up to 256 MiB each.
// Prints {"port"} once it listens; answers the memory probe on stdin.
import { readEnv } from '../../src/config.ts'
import { createDeps } from '../../src/deps.ts'
import { createLogger } from '../../src/logger.ts'
import { benchConfig } from '../delivery/snodo-config.ts'
import { serveBenchApp } from '../serve-app.ts'
import { answerMemoryProbes } from './memory-probe.ts'

const env = readEnv()
const validated = benchConfig()
const config = { ...validated, documents: { ...validated.documents, dir: process.env.BENCH_DOCUMENTS_DIR as string, maxBytes: 256 * 2 ** 20 } }
serveBenchApp(await createDeps({ config, env, logger: createLogger(env.LOG_LEVEL) }))
answerMemoryProbes()
