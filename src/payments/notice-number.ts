// IUV and notice number with aux digit 3 (pagopa/FACTS.md §6): notice = 3 + IUV, IUV = segregation
// code (2) + IUV base (13) + check digit (2), the check digit being the remainder of the division by
// 93 of the number formed by the preceding digits of the notice (aux digit, segregation, base).

export function checkDigit(auxSegregationBase: string): string {
  return String(Number(BigInt(auxSegregationBase) % 93n)).padStart(2, '0')
}

export function iuvFor(segregationCode: string, sequence: number): { iuv: string; noticeNumber: string } {
  if (!/^\d{2}$/.test(segregationCode)) throw new RangeError('the segregation code is two digits')
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence >= 10 ** 13) throw new RangeError('the IUV base is 13 digits: sequence 1..9999999999999')
  const base = String(sequence).padStart(13, '0')
  const iuv = `${segregationCode}${base}${checkDigit(`3${segregationCode}${base}`)}`
  return { iuv, noticeNumber: `3${iuv}` }
}

/** True for an 18-digit notice number with aux digit 3 whose check digit is right. */
export function isValidNoticeNumber(noticeNumber: string): boolean {
  return /^3\d{17}$/.test(noticeNumber) && checkDigit(noticeNumber.slice(0, 16)) === noticeNumber.slice(16)
}
