// The fault codes an EC station answers the nodo with (pagopa/FACTS.md §8, "Fault codes the EC
// returns"; faultString as in the pagoPA "Dominio EC" table). A fault is a business answer: it travels
// in the operation's …Res element with outcome KO and HTTP 200, never as a SOAP Fault.

export const faultStrings = {
  PAA_ID_DOMINIO_ERRATO: 'La PAA non corrisponde al Dominio indicato.',
  PAA_ID_INTERMEDIARIO_ERRATO: 'Identificativo intermediario non corrispondente.',
  PAA_STAZIONE_INT_ERRATA: 'Stazione intermediario non corrispondente.',
  PAA_PAGAMENTO_SCONOSCIUTO: "Pagamento in attesa risulta sconosciuto all'Ente Creditore.",
  PAA_PAGAMENTO_SCADUTO: "Pagamento in attesa risulta scaduto all'Ente Creditore.",
  PAA_PAGAMENTO_ANNULLATO: "Pagamento in attesa risulta annullato all'Ente Creditore.",
  PAA_PAGAMENTO_DUPLICATO: "Pagamento in attesa risulta concluso all'Ente Creditore.",
  PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO: "L'importo del pagamento in attesa non è congruente con il dato indicato dal PSP.",
  PAA_SINTASSI_EXTRAXSD: 'Errore di sintassi extra XSD.',
  PAA_SEMANTICA: 'Errore semantico.',
  PAA_SYSTEM_ERROR: 'Errore generico.',
} as const

export type FaultCode = keyof typeof faultStrings

/** A KO answer of the station: the code, and a description saying what exactly was wrong. */
export class NodoFault extends Error {
  readonly faultCode: FaultCode
  constructor(faultCode: FaultCode, description: string) {
    super(description)
    this.name = 'NodoFault'
    this.faultCode = faultCode
  }
}

export const fault = (code: FaultCode, description: string) => new NodoFault(code, description)
