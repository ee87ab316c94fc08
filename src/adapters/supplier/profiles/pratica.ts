// The built-in "pratica" profile: Snodo's own supplier service (../wsdl/PraticheFornitore.wsdl, ours,
// not a vendor's). One riceviPratica carries the structured practice — id, service, applicant, subject,
// channel, submission instant, protocol registration, the form data as JSON, every document with its
// SHA-256 and its bytes or a reference — and the supplier answers esito OK with its own id, or KO with
// a code. cercaPratica asks whether the supplier already has the practice, so every push asks first
// and a retry after a timeout never hands it over twice.
import { fileURLToPath } from 'node:url'
import type { Tree } from '../../soap-profile/profile.ts'
import type { SupplierProfileInput } from '../profile.ts'

// Resolved from the repository root, so the same path works from src/ and from the build in dist/.
export const praticheFornitoreWsdlPath = fileURLToPath(new URL('../../../../src/adapters/supplier/wsdl/PraticheFornitore.wsdl', import.meta.url))

const esito = { code: 'codiceErrore || esito', message: 'descrizioneErrore', ok: ['OK'] }

/** The `pratica` argument of riceviPratica, in the WSDL's order; `riepilogo` is a domain XML summary, as text. */
export function praticaArgs(riepilogo?: string): Record<string, Tree> {
  return {
    idPratica: '{{practice.correlationKey}}',
    codiceServizio: '{{practice.serviceCode}}',
    oggetto: '{{practice.subject}}',
    richiedente: {
      codiceFiscale: '{{practice.applicant.fiscalCode}}',
      nome: '{{practice.applicant.givenName}}',
      cognome: '{{practice.applicant.familyName}}',
      email: '{{practice.applicant.email}}',
      pec: '{{practice.applicant.pec}}',
    },
    canale: '{{practice.channel}}',
    presentataIl: '{{practice.submittedAt}}',
    protocollo: {
      $if: 'practice.registration',
      numero: '{{practice.registration.number}}',
      anno: '{{practice.registration.year}}',
      data: '{{practice.registration.date}}',
      registro: '{{practice.registration.registry}}',
      aoo: '{{practice.registration.aoo}}',
      segnatura: '{{practice.registration.segnatura}}',
      idDocumento: '{{practice.registration.documentId}}',
    },
    datiModulo: '{{practice.data | json}}',
    ...(riepilogo ? { riepilogo } : {}),
    allegati: {
      allegato: {
        $forEach: 'practice.documents',
        $each: {
          nomeFile: '{{item.name}}',
          tipoMime: '{{item.contentType}}',
          impronta: '{{item.sha256}}',
          dimensione: '{{item.size}}',
          principale: '{{item.main}}',
          contenuto: '{{item.base64}}',
          riferimento: '{{item.url}}',
        },
      },
    },
  }
}

/** The committing call: the supplier answers OK with its own id, or KO with a code. */
export const invio = {
  name: 'invio',
  service: 'fornitore',
  operation: 'riceviPratica',
  commit: true,
  args: { pratica: praticaArgs() },
  inBand: esito,
  outputs: { id: 'idPraticaFornitore' },
}

export const praticaProfile = {
  name: 'pratica',
  description: "Snodo's supplier service (PraticheFornitore.wsdl): riceviPratica with the structured practice; cercaPratica before a re-send",
  services: { fornitore: { wsdl: praticheFornitoreWsdlPath, service: 'PraticheFornitore', port: 'PraticheFornitoreSoap' } },
  auth: { type: 'none' },
  search: {
    steps: [
      {
        name: 'cerca',
        service: 'fornitore',
        operation: 'cercaPratica',
        args: { idPratica: '{{practice.correlationKey}}' },
        inBand: esito,
        outputs: { id: 'idPraticaFornitore' },
      },
    ],
    found: '{{steps.cerca.id}}',
    receipt: { supplierPracticeId: '{{steps.cerca.id}}' },
  },
  steps: [invio],
  result: { supplierPracticeId: '{{steps.invio.id}}' },
  errors: {
    // The WSDL's own codes: busy means nothing was received (retried); any other is a refusal.
    codes: { E_OCCUPATO: 'unavailable', E_AUTENTICAZIONE: 'unauthorized' },
    codeKind: 'rejected',
    faults: [{ match: 'autenticazione|Security|UsernameToken|Unauthori[sz]ed', kind: 'unauthorized' }],
    faultKind: 'rejected',
  },
} satisfies SupplierProfileInput
