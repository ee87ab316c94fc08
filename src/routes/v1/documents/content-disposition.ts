// How a stored document is handed to a browser: a download under its stored name, never a page.
// RFC 6266: `filename` (ASCII, for old agents) and `filename*` (RFC 8187, ex 5987: UTF-8, percent-encoded).

/** encodeURIComponent leaves ' ( ) * as they are; RFC 8187's attr-char does not allow them. */
const extValue = (name: string) => encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** Only printable ASCII, and neither `"` nor `\` (quoted-string) nor `%` (some agents decode it). */
const asciiFallback = (name: string) => name.replace(/[^\x20-\x7e]|["\\%]/gu, '_')

export function attachmentHeaders(name: string): Record<string, string> {
  return {
    'content-disposition': `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${extValue(name)}`,
    // Opened anyway (a browser told to display it, a link followed): no script, no requests, an opaque origin.
    'content-security-policy': "default-src 'none'; sandbox",
  }
}
