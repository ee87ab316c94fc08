// The comune as a Segnatura party, shared by the built-in profiles: an Amministrazione with its AOO,
// the recipient of what comes in and the sender of what goes out. Each vendor's XSD writes the
// organisational unit its own way; the applicant's Persona differs in element order, so each profile
// keeps its own.
import type { Tree } from '../../soap-profile/profile.ts'

/** Present only when `when` has a value (`practice.incoming` or `practice.outgoing`). */
export const comune = (when: string, unitaOrganizzativa: Tree) => ({
  Amministrazione: {
    $if: when,
    Denominazione: '{{params.denominazione}}',
    CodiceAmministrazione: '{{params.codiceAmministrazione}}',
    IndirizzoTelematico: '{{params.indirizzoTelematico}}',
    UnitaOrganizzativa: unitaOrganizzativa,
  },
  AOO: { $if: when, CodiceAOO: '{{params.codiceAOO}}' },
})
