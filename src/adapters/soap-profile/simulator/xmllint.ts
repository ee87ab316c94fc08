// The simulators check the segnatura they receive against the real XSD with libxml2's xmllint, as a
// strict vendor would; the XSDs are read in place from ../shared/contracts, never copied.
import { execFileSync } from 'node:child_process'

/** xmllint's complaints about `xml` against the XSD at `xsdPath`, or [] when it validates. */
export function xmllintErrors(xml: string, xsdPath: string): string[] {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsdPath, '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] })
    return []
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer }
    if (code === 'ENOENT') throw new Error('xmllint is not installed (Debian: apt-get install libxml2-utils)')
    const lines = String(stderr ?? error)
      .split('\n')
      // segnatura.xsd imports xml.xsd from w3.org; --nonet skips it (nothing in the schema uses it).
      .filter((line) => line.trim() !== '' && !/fails to validate$|network entity|failed to load external entity|Skipping the import/.test(line))
    return lines.length > 0 ? lines : ['xmllint refused the document without a message']
  }
}
