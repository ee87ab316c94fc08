// DocER (Regione Emilia-Romagna; Axis2, SOAP 1.1 ports), backoffice/FACTS.md §2 "DocER":
// AuthenticationService.login → token; DocerServices.createDocument (metadata + base64 file) per
// document, addRelated to tie the attachments to the main one; WSProtocollazione.protocollaById(
// token, documentoId, datiProtocollo) where datiProtocollo is a SegnaturaProtocollazioneRequest.xsd
// document passed as a string. Its `return` is XML in a string too:
// <esito><codice>0</codice><descrizione/><dati_protocollo><NUM_PG/><ANNO_PG/><DATA_PG/><REGISTRO_PG/>…
// (the shape public DocER clients read). Faults are typed (ProtocollazioneException, DocerException).
//
// DocER can search: the main document carries the practice's correlation key in its ABSTRACT, and
// searchDocuments finds it; once protocolled, its profile holds NUM_PG/ANNO_PG/DATA_PG. So every
// register() searches first and a retry after a timed-out protocollaById finds the registration
// instead of registering again. Attachments get their file name as ABSTRACT, never the key.
//
// Documents a later step adds are registered on their own, TipoRichiesta U (the comune to the
// applicant: Mittente the Amministrazione with its AOO, Destinatario the Persona) or E. DocER links
// documents with addRiferimentiDocuments (DocerServices.wsdl): the step's main document is tied to
// the practice's original one (the precedent's documentId) before protocollaById. The Segnatura's
// RiferimentiProtocollo belongs to a correspondent Amministrazione (its own protocol), so it is not used.
import type { ProtocolProfileInput } from '../profile.ts'
import { comune } from './parties.ts'

const token = '{{token}}'
const where = (key: string, value: string) => ({ key, value })

const unitaOrganizzativa = { $if: 'params.unitaOrganizzativa', Identificativo: '{{params.unitaOrganizzativa}}' }
const applicant = {
  $: { id: '{{practice.applicant.fiscalCode}}' },
  Nome: '{{practice.applicant.givenName}}',
  Cognome: '{{practice.applicant.familyName}}',
  IndirizzoTelematico: '{{practice.applicant.pec || practice.applicant.email}}',
  CodiceFiscale: '{{practice.applicant.fiscalCode}}',
}

const segnatura = {
  root: 'Segnatura',
  schema: 'docer/SegnaturaProtocollazioneRequest.xsd',
  body: {
    Intestazione: {
      Oggetto: '{{practice.subject}}',
      Flusso: { TipoRichiesta: '{{practice.flusso}}', Firma: '{{params.firma}}', ForzaRegistrazione: '{{params.forzaRegistrazione}}' },
      Mittenti: { Mittente: { Persona: { $if: 'practice.incoming', ...applicant }, ...comune('practice.outgoing', unitaOrganizzativa) } },
      Destinatari: { Destinatario: { ...comune('practice.incoming', unitaOrganizzativa), Persona: { $if: 'practice.outgoing', ...applicant } } },
      Classifica: {
        $if: 'params.classifica',
        CodiceAmministrazione: '{{params.codiceAmministrazione}}',
        CodiceAOO: '{{params.codiceAOO}}',
        Classifica: '{{params.classifica}}',
      },
      FascicoloPrimario: {
        $if: 'params.fascicoloProgressivo',
        CodiceAmministrazione: '{{params.codiceAmministrazione}}',
        CodiceAOO: '{{params.codiceAOO}}',
        Classifica: '{{params.classifica}}',
        Anno: '{{params.fascicoloAnno}}',
        Progressivo: '{{params.fascicoloProgressivo}}',
      },
    },
  },
}

const metadata = (name: string, abstract: string) => [
  where('TYPE_ID', '{{params.tipoDocumento}}'),
  where('DOCNAME', name),
  where('ABSTRACT', abstract),
  where('COD_ENTE', '{{params.codiceEnte}}'),
  where('COD_AOO', '{{params.codiceAOO}}'),
]

export const docerProfile = {
  name: 'docer',
  description: 'DocER: login → createDocument (+ attachments, addRelated) → protocollaById with a SegnaturaProtocollazioneRequest; searches first',
  services: {
    auth: { wsdl: '', port: 'AuthenticationServiceHttpSoap11Endpoint' },
    documenti: { wsdl: '', port: 'DocerServicesHttpSoap11Endpoint' },
    protocollo: { wsdl: '', port: 'WSProtocollazioneHttpSoap11Endpoint' },
  },
  auth: {
    type: 'login',
    step: {
      name: 'login',
      service: 'auth',
      operation: 'login',
      args: { username: '{{secrets.username}}', password: '{{secrets.password}}', codiceEnte: '{{params.codiceEnte}}', application: '{{params.applicazione}}' },
      outputs: { token: 'return' },
      faultKind: 'unauthorized',
    },
  },
  params: {
    tipoDocumento: 'DOCUMENTO',
    firma: 'NF',
    forzaRegistrazione: '0',
    applicazione: '',
    classifica: '',
    fascicoloAnno: '',
    fascicoloProgressivo: '',
    unitaOrganizzativa: '',
  },
  xml: { segnatura },
  search: {
    steps: [
      {
        name: 'cerca',
        service: 'documenti',
        operation: 'searchDocuments',
        args: {
          token,
          searchCriteria: [
            where('COD_ENTE', '{{params.codiceEnte}}'),
            where('COD_AOO', '{{params.codiceAOO}}'),
            where('ABSTRACT', '{{practice.correlationKey}}'),
          ],
          keywords: [''],
          maxRows: 10,
        },
        // The first document of the practice that has a protocol number, if any.
        outputs: { hit: 'return | kvs | where:NUM_PG | first' },
      },
      {
        name: 'profilo',
        service: 'documenti',
        operation: 'getProfileDocument',
        when: 'steps.cerca.hit',
        args: { token, docId: '{{steps.cerca.hit.DOCNUM}}' },
        outputs: { doc: 'return | kv' },
      },
    ],
    registration: {
      number: '{{steps.profilo.doc.NUM_PG}}',
      year: '{{steps.profilo.doc.ANNO_PG}}',
      date: '{{steps.profilo.doc.DATA_PG}}',
      registry: '{{steps.profilo.doc.REGISTRO_PG}}',
      aoo: '{{params.codiceAOO}}',
      documentId: '{{steps.profilo.doc.DOCNUM || steps.cerca.hit.DOCNUM}}',
    },
  },
  steps: [
    {
      name: 'documento',
      service: 'documenti',
      operation: 'createDocument',
      args: { token, metadata: metadata('{{practice.main.name}}', '{{practice.correlationKey}}'), file: '{{practice.main.base64}}' },
      outputs: { docId: 'return' },
    },
    {
      name: 'allegati',
      service: 'documenti',
      operation: 'createDocument',
      forEach: 'practice.attachments',
      args: { token, metadata: metadata('{{item.name}}', '{{item.name}}'), file: '{{item.base64}}' },
      outputs: { docId: 'return' },
    },
    {
      name: 'collega',
      service: 'documenti',
      operation: 'addRelated',
      when: 'steps.allegati',
      args: { token, docId: '{{steps.documento.docId}}', related: '{{steps.allegati | pluck:docId}}' },
      inBand: { code: 'return | string', ok: ['true'] },
    },
    {
      name: 'riferimenti',
      service: 'documenti',
      operation: 'addRiferimentiDocuments',
      when: 'practice.precedent.documentId',
      args: { token, docId: '{{steps.documento.docId}}', riferimenti: ['{{practice.precedent.documentId}}'] },
      inBand: { code: 'return | string', ok: ['true'] },
    },
    {
      name: 'protocollazione',
      service: 'protocollo',
      operation: 'protocollaById',
      commit: true,
      args: { token, documentoId: '{{steps.documento.docId}}', datiProtocollo: '{{xml.segnatura}}' },
      inBand: { code: 'return | xml | at:esito.codice', message: 'return | xml | at:esito.descrizione', ok: ['0'] },
      outputs: { esito: 'return | xml | at:esito.dati_protocollo' },
    },
  ],
  result: {
    number: '{{steps.protocollazione.esito.NUM_PG}}',
    year: '{{steps.protocollazione.esito.ANNO_PG}}',
    date: '{{steps.protocollazione.esito.DATA_PG}}',
    registry: '{{steps.protocollazione.esito.REGISTRO_PG}}',
    aoo: '{{params.codiceAOO}}',
    documentId: '{{steps.documento.docId}}',
  },
  errors: {
    codes: {},
    codeKind: 'rejected',
    // Every register() logs in afresh, so a token refused moments later is a credentials problem.
    faults: [{ match: 'token|ticket', kind: 'unauthorized' }],
    faultKind: 'rejected',
  },
} satisfies Omit<ProtocolProfileInput, 'credentials'>
