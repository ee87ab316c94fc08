// Italian local time (Europe/Rome, daylight saving included), as the platforms write it: pagoPA's
// receipts and due dates, the protocollo's registration dates, the SOAP templates' date tokens.
const romeFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

export type RomeParts = { year: string; month: string; day: string; hour: string; minute: string; second: string }

/** The instant's calendar and clock fields in Rome, each zero-padded. */
export function romeParts(at: Date): RomeParts {
  return Object.fromEntries(romeFormat.formatToParts(at).map((p) => [p.type, p.value])) as RomeParts
}

/** YYYY-MM-DDTHH:mm:ss in Europe/Rome. */
export function romeLocal(at: Date): string {
  const part = romeParts(at)
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}:${part.second}`
}
