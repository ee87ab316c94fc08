// DOCAREA ("DOCAREAProto"), the de-facto inter-vendor protocollo API, as Halley publishes it
// (halley-docarea/HalleyProto-DOCAREAProto.wsdl: document/literal, tempuri.org). backoffice/FACTS.md
// §2 "DOCAREA family": Login(strCodEnte, strUserName, strPassword) → strDST; Inserimento(strUserName,
// strDST, strDocument, objDocument) → lngDocID; Protocollazione(strUserName, strDST, strDocumentInfo)
// with an AIPA Segnatura.xml (segnatura-aipa/segnatura.xsd) that references the lngDocIDs →
// lngNumPG, lngAnnoPG, strDataPG. Errors are in-band: lngErrNumber ≠ 0 with strErrString.
//
// Assumptions, to confirm per installation (all of them are data the operator may override):
// - Halley declares strDocument and objDocument as strings: we send the file name and the content
//   in base64. Attachments are uploaded with Inserimento too, and listed under Descrizione/Allegati.
// - DOCAREA has no operation that searches by our correlation key (nor does HalleyDizionario.wsdl:
//   titolario, fascicoli, uffici only). So this profile cannot search: a Protocollazione whose
//   outcome is unknown (timeout, connection lost, unreadable answer) goes dead with
//   upstreamCode outcome_unknown, and is re-sent only by an operator's replay after checking the
//   register. The correlation key travels in the segnatura (ApplicativoProtocollo/Parametro) so the
//   operator can find it there.
// - Documents a later step adds are registered on their own: Flusso U (the comune to the applicant:
//   Mittente the Amministrazione, Destinatario the Persona) or E. The AIPA segnatura.xsd has no
//   Riferimenti (only Segnatura_ex.xsd, another document, does), so the practice's original protocol
//   travels as ApplicativoProtocollo parameters (protocolloPrecedente "number/year" and its date),
//   plus the Fascicolo when the tenant configures one.
import type { ProtocolProfileInput } from '../profile.ts'
import { comune } from './parties.ts'

const inBand = (result: string, kind?: 'unauthorized') => ({
  code: `${result}.lngErrNumber`,
  message: `${result}.strErrString`,
  ok: ['0'],
  ...(kind ? { kind } : {}),
})

const login = {
  name: 'login',
  service: 'docarea',
  operation: 'Login',
  args: { strCodEnte: '{{params.codiceEnte}}', strUserName: '{{secrets.username}}', strPassword: '{{secrets.password}}' },
  outputs: { token: 'LoginResult.strDST' },
  inBand: inBand('LoginResult', 'unauthorized'),
  faultKind: 'unauthorized' as const,
}

const unitaOrganizzativa = { $: { id: '{{params.unitaOrganizzativa}}' } }
const applicant = {
  $: { id: '{{practice.applicant.fiscalCode}}' },
  Nome: '{{practice.applicant.givenName}}',
  Cognome: '{{practice.applicant.familyName}}',
  CodiceFiscale: '{{practice.applicant.fiscalCode}}',
  IndirizzoTelematico: '{{practice.applicant.pec || practice.applicant.email}}',
}

/** The AIPA Segnatura.xml (circ. 28/2001) DOCAREA expects in strDocumentInfo; element order is the XSD's. */
const segnatura = {
  root: 'Segnatura',
  schema: 'segnatura-aipa/segnatura.xsd',
  body: {
    Intestazione: {
      Oggetto: '{{practice.subject}}',
      Identificatore: {
        CodiceAmministrazione: '{{params.codiceAmministrazione}}',
        CodiceAOO: '{{params.codiceAOO}}',
        NumeroRegistrazione: '0',
        DataRegistrazione: '{{practice.submittedAt | date}}',
        Flusso: '{{practice.flusso}}',
      },
      Mittente: { Persona: { $if: 'practice.incoming', ...applicant }, ...comune('practice.outgoing', unitaOrganizzativa) },
      Destinatario: { ...comune('practice.incoming', unitaOrganizzativa), Persona: { $if: 'practice.outgoing', ...applicant } },
      Classifica: {
        $if: 'params.classifica',
        CodiceAmministrazione: '{{params.codiceAmministrazione}}',
        CodiceAOO: '{{params.codiceAOO}}',
        CodiceTitolario: '{{params.classifica}}',
      },
      Fascicolo: { $if: 'params.fascicoloNumero', $: { numero: '{{params.fascicoloNumero}}', anno: '{{params.fascicoloAnno}}' } },
    },
    Descrizione: {
      Documento: { $: { id: '{{steps.documento.docId}}', nome: '{{practice.main.name}}' }, DescrizioneDocumento: '{{practice.subject}}' },
      Allegati: {
        $if: 'steps.allegati',
        Documento: { $forEach: 'steps.allegati', $each: { $: { id: '{{item.docId}}', nome: '{{item.item.name}}' } } },
      },
    },
    ApplicativoProtocollo: {
      $: { nome: 'Snodo' },
      Parametro: [
        { $: { nome: 'correlationKey', valore: '{{practice.correlationKey}}' } },
        { $: { nome: 'serviceCode', valore: '{{practice.serviceCode}}' } },
        { $: { nome: 'channel', valore: '{{practice.channel}}' } },
        { $if: 'practice.precedent', $: { nome: 'protocolloPrecedente', valore: '{{practice.precedent.number}}/{{practice.precedent.year}}' } },
        { $if: 'practice.precedent', $: { nome: 'dataProtocolloPrecedente', valore: '{{practice.precedent.date}}' } },
      ],
    },
  },
}

export const docareaProfile = {
  name: 'docarea',
  description: 'DOCAREA (Halley WSDL, document/literal): Login → Inserimento per document → Protocollazione with a Segnatura.xml',
  services: { docarea: { wsdl: '', port: 'DOCAREAProtoSoap' } },
  auth: { type: 'login', step: login },
  params: { classifica: '', fascicoloNumero: '', fascicoloAnno: '' },
  xml: { segnatura },
  steps: [
    {
      name: 'documento',
      service: 'docarea',
      operation: 'Inserimento',
      args: { strUserName: '{{secrets.username}}', strDST: '{{token}}', strDocument: '{{practice.main.name}}', objDocument: '{{practice.main.base64}}' },
      outputs: { docId: 'InserimentoResult.lngDocID' },
      inBand: inBand('InserimentoResult'),
    },
    {
      name: 'allegati',
      service: 'docarea',
      operation: 'Inserimento',
      forEach: 'practice.attachments',
      args: { strUserName: '{{secrets.username}}', strDST: '{{token}}', strDocument: '{{item.name}}', objDocument: '{{item.base64}}' },
      outputs: { docId: 'InserimentoResult.lngDocID' },
      inBand: inBand('InserimentoResult'),
    },
    {
      name: 'protocollazione',
      service: 'docarea',
      operation: 'Protocollazione',
      commit: true,
      // A string argument: the soap library escapes the whole Segnatura once, as the text of strDocumentInfo.
      args: { strUserName: '{{secrets.username}}', strDST: '{{token}}', strDocumentInfo: '{{xml.segnatura}}' },
      outputs: { number: 'ProtocollazioneResult.lngNumPG', year: 'ProtocollazioneResult.lngAnnoPG', date: 'ProtocollazioneResult.strDataPG' },
      inBand: inBand('ProtocollazioneResult'),
    },
  ],
  onUncertainCommit: 'dead',
  result: {
    number: '{{steps.protocollazione.number}}',
    year: '{{steps.protocollazione.year}}',
    date: '{{steps.protocollazione.date}}',
    aoo: '{{params.codiceAOO}}',
    documentId: '{{steps.documento.docId}}',
  },
  // FACTS §2: Halley error 108 (mittente) and 112 (destinatario) are data the vendor refused.
  errors: { codes: { '108': 'rejected', '112': 'rejected' }, codeKind: 'rejected', faults: [], faultKind: 'rejected' },
} satisfies Omit<ProtocolProfileInput, 'credentials'>
