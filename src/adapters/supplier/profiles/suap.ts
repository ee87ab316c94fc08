// The built-in "suap" profile: the "pratica" profile (Snodo's supplier service) plus the SUAP summary
// the supplier's software reads — the impresainungiorno "riepilogo-pratica-suap" (Suap.xsd v1.0.1,
// DPR 160/2010 technical annex; backoffice/FACTS.md "SUAP / SUE"), carried as text in `riepilogo`.
//
// A generic practice cannot fill the riepilogo by itself: the XSD wants the impresa (forma giuridica,
// ragione sociale, sede, legale rappresentante) and standard file names. So a SUAP service's form data
// carries a `suap` block (README "Practices"), the tenant's routing gives the SUAP office's codes as
// params, and `requires` lists what must be there — checked when the portal submits (400 naming the
// field), so nothing unfit is accepted. File names follow the standard naming CF-GGMMAAAA-HHMM.NNN
// (the applicant's fiscal code, the submission instant in Italy, the document's place): `.MDA.PDF` for
// the main form, so it must be a PDF (or a signed .pdf.p7m); attachments only in the formats the XSD
// allows. Only the root is namespaced (elementFormDefault="unqualified").
import type { SupplierProfileInput } from '../profile.ts'
import { invio, praticaArgs, praticaProfile } from './pratica.ts'

const suap = 'practice.data.suap'
const impresa = `${suap}.impresa`
const sede = `${impresa}.indirizzo`
const rappresentante = `${impresa}.legaleRappresentante`
const qualifica = `${suap}.qualifica || params.qualifica`
const personalCode = '^[A-Z]{6}[0-9A-Z][0-9LMNPQRSTUV][ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$'
const fileName = (number: string, suffix: string) => `{{practice.applicant.fiscalCode}}-{{practice.submittedAt | date:DDMMYYYY-HHmm}}.${number}.${suffix}`
const qualifiche = [
  'ALTRO PREVISTO DALLA VIGENTE NORMATIVA',
  'AMMINISTRATORE',
  'ASSOCIAZIONE DI CATEGORIA',
  'CENTRO ELABORAZIONE DATI',
  'COMMISSARIO GIUDIZIARIO',
  'CONSULENTE',
  'CURATORE FALLIMENTARE',
  'DELEGATO',
  'LEGALE RAPPRESENTANTE',
  'LIQUIDATORE',
  'NOTAIO',
  'PROFESSIONISTA INCARICATO',
  'SOCIO',
  'STUDIO ASSOCIATO',
  'TITOLARE',
]

const riepilogo = {
  root: 'ps:riepilogo-pratica-suap',
  schema: 'suap-impresainungiorno/Suap.xsd',
  requires: {
    [`${impresa}.formaGiuridica.codice`]: '^[A-Z0-9]{2}$',
    [`${impresa}.formaGiuridica.descrizione`]: '\\S',
    [`${impresa}.ragioneSociale`]: '\\S',
    [`${impresa}.codiceFiscale`]: '^([0-9]{11}|[A-Z]{6}[0-9A-Z]{10})?$',
    [`${impresa}.partitaIva`]: '^([0-9]{11})?$',
    [`${sede}.provincia.sigla`]: '^[A-Z]{2}$',
    [`${sede}.provincia.nome`]: '\\S',
    [`${sede}.comune.codiceCatastale`]: '^[A-Z]\\d{3}$',
    [`${sede}.comune.nome`]: '\\S',
    [`${sede}.cap`]: '^\\d{5}$',
    [`${sede}.toponimo`]: '^\\S.{0,19}$',
    [`${sede}.via`]: '^\\S.{0,59}$',
    [`${sede}.civico`]: '^\\S.{0,19}$',
    [`${rappresentante}.cognome`]: '^\\S.{0,59}$',
    [`${rappresentante}.nome`]: '^\\S.{0,59}$',
    [`${rappresentante}.codiceFiscale`]: personalCode,
    [`${rappresentante}.carica.codice`]: '^[A-Z0-9]{1,4}$',
    [`${rappresentante}.carica.descrizione`]: '\\S',
    [`${suap}.tipoProcedimento || params.tipoProcedimento`]: '^(SCIA|silenzio-assenso|ordinario)?$',
    [`${suap}.tipoIntervento || params.tipoIntervento`]: '^(apertura|subentro|trasformazione|modifiche|cessazione|altro)?$',
    [qualifica]: `^(${qualifiche.join('|')})$`,
    'practice.applicant.familyName': '^\\S.{0,59}$',
    'practice.applicant.givenName': '^\\S.{0,59}$',
    'practice.main.extension': '^pdf(\\.p7m)?$',
    'practice.attachments | pluck:extension': '^(pdf|xml|dwf|svg|jpg)(\\.p7m)?$',
    'params.codiceAmministrazione': '^[A-Za-z0-9_-]{1,16}$',
    'params.codiceAOO': '^[A-Za-z0-9_-]{1,16}$',
    'params.identificativoSuap': '^[1-9]\\d*$',
    'params.ufficio': '\\S',
    'params.modulo': '\\S',
  },
  body: {
    $: { 'xmlns:ps': 'http://www.impresainungiorno.gov.it/schema/suap/pratica' },
    // The XSD does not say which date goes with the version: the riepilogo's own, unless the installation sets one.
    'info-schema': { $: { versione: '{{params.versioneSchema}}', data: '{{params.dataSchema || practice.submittedAt | date}}' } },
    intestazione: {
      'ufficio-destinatario': {
        _: '{{params.ufficio}}',
        $: {
          'codice-amministrazione': '{{params.codiceAmministrazione}}',
          'codice-aoo': '{{params.codiceAOO}}',
          'identificativo-suap': '{{params.identificativoSuap}}',
        },
      },
      impresa: {
        'forma-giuridica': { _: `{{${impresa}.formaGiuridica.descrizione}}`, $: { codice: `{{${impresa}.formaGiuridica.codice}}` } },
        'ragione-sociale': `{{${impresa}.ragioneSociale}}`,
        'codice-fiscale': `{{${impresa}.codiceFiscale}}`,
        'partita-iva': `{{${impresa}.partitaIva}}`,
        indirizzo: {
          stato: { _: 'ITALIA', $: { codice: 'I' } },
          provincia: { _: `{{${sede}.provincia.nome}}`, $: { sigla: `{{${sede}.provincia.sigla}}` } },
          comune: { _: `{{${sede}.comune.nome}}`, $: { 'codice-catastale': `{{${sede}.comune.codiceCatastale}}` } },
          cap: `{{${sede}.cap}}`,
          toponimo: `{{${sede}.toponimo}}`,
          'denominazione-stradale': `{{${sede}.via}}`,
          'numero-civico': `{{${sede}.civico}}`,
        },
        'legale-rappresentante': {
          cognome: `{{${rappresentante}.cognome}}`,
          nome: `{{${rappresentante}.nome}}`,
          'codice-fiscale': `{{${rappresentante}.codiceFiscale}}`,
          carica: { _: `{{${rappresentante}.carica.descrizione}}`, $: { codice: `{{${rappresentante}.carica.codice}}` } },
        },
      },
      'oggetto-comunicazione': {
        _: '{{practice.subject}}',
        $: {
          'tipo-procedimento': `{{${suap}.tipoProcedimento || params.tipoProcedimento}}`,
          'tipo-intervento': `{{${suap}.tipoIntervento || params.tipoIntervento}}`,
        },
      },
      'codice-pratica': '{{practice.correlationKey}}',
      dichiarante: {
        $: { qualifica: `{{${qualifica}}}` },
        cognome: '{{practice.applicant.familyName}}',
        nome: '{{practice.applicant.givenName}}',
        'codice-fiscale': '{{practice.applicant.fiscalCode}}',
        pec: '{{practice.applicant.pec}}',
      },
      'domicilio-elettronico': `{{${impresa}.pec || practice.applicant.pec}}`,
    },
    struttura: {
      modulo: {
        $: { nome: '{{params.modulo}}' },
        'distinta-modello-attivita': {
          $: { 'nome-file': fileName('{{practice.main.number}}', 'MDA.{{practice.main.extension}}') },
          'nome-file-originale': '{{practice.main.name}}',
          mime: '{{practice.main.contentType}}',
          dimensione: '{{practice.main.size}}',
        },
        'documento-allegato': {
          $forEach: 'practice.attachments',
          $each: {
            $: { 'nome-file': fileName('{{item.number}}', '{{item.extension}}') },
            'nome-file-originale': '{{item.name}}',
            mime: '{{item.contentType}}',
            dimensione: '{{item.size}}',
          },
        },
      },
    },
  },
}

export const suapProfile = {
  ...praticaProfile,
  name: 'suap',
  description: "Snodo's supplier service with the SUAP riepilogo-pratica-suap (Suap.xsd 1.0.1) in riepilogo",
  params: { versioneSchema: '1.0.1', dataSchema: '', tipoProcedimento: '', tipoIntervento: '', qualifica: '' },
  xml: { riepilogo },
  steps: [{ ...invio, args: { pratica: praticaArgs('{{xml.riepilogo}}') } }],
} satisfies SupplierProfileInput
