// Part 1, bare baseline: one BullMQ Worker at Snodo's backoffice concurrency (50) making, per job, the
// calls Snodo's docarea profile makes, with the `soap` library's client built from the simulator's
// WSDL: Login → Inserimento (the 1 MB document in base64, carried by the job as Snodo's practice
// carries it in Redis) → Protocollazione with the AIPA Segnatura rendered from docarea's own tree
// (soap-profile renderXml; an incoming practice, as mapping.ts practiceView marks it). No record, no
// status, no event, no retry policy. Prints {"ready"}.
import { Worker } from 'bullmq'
import { createClientAsync } from 'soap'
import { docareaProfile } from '../../src/adapters/protocollo/profiles/docarea.ts'
import { renderXml } from '../../src/adapters/soap-profile/render.ts'

export const bareQueueName = 'bare-protocollo'
export type BarePractice = {
  correlationKey: string
  serviceCode: string
  subject: string
  applicant: { fiscalCode: string; givenName: string; familyName: string; email: string }
  submittedAt: string
  channel: 'online'
  name: string
  base64: string
}
type Result<R extends string> = Record<R, { lngErrNumber: number | string; strErrString?: string } & Record<string, unknown>>

const settings = JSON.parse(process.env.BENCH_PROTOCOL as string) as { params: Record<string, string> }
const secrets = JSON.parse(process.env.BENCH_PROTOCOLLO_ENV as string) as Record<string, string>
const username = secrets.SNODO_SANDBOX_PROTOCOLLO_USER as string
const client = await createClientAsync(`${process.env.BENCH_PROTOCOLLO_URL}/protocollo?wsdl`)

function ok<R extends string>(name: R, [answer]: [Result<R>]) {
  const result = answer[name]
  if (Number(result.lngErrNumber) !== 0) throw new Error(`${name}: ${result.lngErrNumber} ${result.strErrString}`)
  return result
}

const worker = new Worker<BarePractice>(
  bareQueueName,
  async (job) => {
    const p = job.data
    const login = ok(
      'LoginResult',
      await client.LoginAsync({ strCodEnte: settings.params.codiceEnte, strUserName: username, strPassword: secrets.SNODO_SANDBOX_PROTOCOLLO_PASSWORD }),
    )
    const strDST = login.strDST
    const doc = ok('InserimentoResult', await client.InserimentoAsync({ strUserName: username, strDST, strDocument: p.name, objDocument: p.base64 }))
    const scope = {
      practice: { ...p, main: { name: p.name }, flusso: 'E', incoming: true },
      params: { classifica: '', fascicoloNumero: '', ...settings.params },
      steps: { documento: { docId: doc.lngDocID } },
    }
    const segnatura = renderXml(docareaProfile.xml.segnatura as Parameters<typeof renderXml>[0], scope)
    const reg = ok('ProtocollazioneResult', await client.ProtocollazioneAsync({ strUserName: username, strDST, strDocumentInfo: segnatura }))
    if (!(Number(reg.lngNumPG) > 0)) throw new Error('no protocol number')
  },
  { connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null }, prefix: process.env.SNODO_REDIS_PREFIX, concurrency: 50 },
)
worker.on('error', (err) => console.error('baseline worker error', err))
await worker.waitUntilReady()
console.log(JSON.stringify({ ready: true }))

const stop = () => void worker.close().finally(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
