// The simulated Checkout page the citizen's browser lands on: server-rendered HTML, in Italian, with
// the cart's notices, a "Paga" button and an "Annulla" button. Every value is escaped (hono/html);
// forms post to paths relative to the page, so the app works mounted under any prefix.
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { NotPayable } from './nodo/receipt.ts'

export type PageNotice = { noticeNumber: string; fiscalCode: string; companyName: string; description: string; amountCents: number; refusal?: NotPayable }

const refusals: Record<NotPayable, string> = {
  unknown: 'Avviso non trovato',
  paid: 'Avviso già pagato',
  cancelled: 'Avviso annullato dall’ente',
  expired: 'Avviso scaduto',
  not_published: 'Avviso non ancora pagabile',
}

/** 1234 → "12,34 €" (it-IT). */
export function euroText(cents: number): string {
  return `${(cents / 100).toLocaleString('it-IT', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`
}

export function cartPage(cart: { id: string; notices: PageNotice[]; emailNotice?: string }): Promise<HtmlEscapedString> | HtmlEscapedString {
  const total = cart.notices.reduce((sum, n) => sum + n.amountCents, 0)
  const payable = cart.notices.every((n) => !n.refusal)
  return layout(
    'Riepilogo del pagamento',
    html`<p class="sim">Ambiente di prova Snodo: nessun pagamento reale viene eseguito.</p>
      <h1>Riepilogo del pagamento</h1>
      <ul class="notices">
        ${cart.notices.map(
          (n) => html`<li data-notice="${n.noticeNumber}">
            <strong>${n.description}</strong><br />
            ${n.companyName} (codice fiscale ${n.fiscalCode})<br />
            Codice avviso ${n.noticeNumber}: <span class="amount">${euroText(n.amountCents)}</span>
            ${n.refusal ? html`<br /><em class="refusal">${refusals[n.refusal]}</em>` : ''}
          </li>`,
        )}
      </ul>
      <p>Totale: <strong id="total">${euroText(total)}</strong></p>
      ${cart.emailNotice ? html`<p>La ricevuta sarà inviata a ${cart.emailNotice}.</p>` : ''}
      ${
        payable
          ? html`<form method="post" action="${cart.id}/pay"><button type="submit" id="pay">Paga ${euroText(total)}</button></form>`
          : html`<p>Questo carrello non può essere pagato.</p>`
      }
      <form method="post" action="${cart.id}/cancel"><button type="submit" id="cancel">Annulla</button></form>`,
  )
}

export function messagePage(title: string, text: string): Promise<HtmlEscapedString> | HtmlEscapedString {
  return layout(title, html`<h1>${title}</h1><p>${text}</p>`)
}

function layout(title: string, body: unknown) {
  return html`<!doctype html>
    <html lang="it">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} – pagoPA (simulato)</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #17324d; }
          .sim { background: #fff4d6; padding: .5rem; } .refusal { color: #a61919; }
          button { font-size: 1rem; padding: .5rem 1.5rem; margin: .25rem 0; } #pay { background: #0066cc; color: #fff; border: 0; }
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html>`
}
