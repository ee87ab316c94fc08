/** A PDND voucher for a purpose, fresh enough to use now (platform adapters such as SEND need one). */
export type VoucherPort = { voucherFor(purposeId: string): Promise<string> }
