// Every BullMQ queue, one per target operation (design §5). Names never contain ':'.
export const queueNames = {
  pagopaPositions: 'pagopa-positions',
  pagopaCancellations: 'pagopa-cancellations',
  appioMessages: 'appio-messages',
  messageBatches: 'message-batches',
  sendNotifications: 'send-notifications',
  backofficePractices: 'backoffice-practices',
  /** A registered practice handed to its supplier's SOAP service (routing mode soap). */
  backofficeSoapPush: 'backoffice-soap-push',
  /** The documents a later step of a practice adds, each step registered at the protocollo on its own. */
  backofficeDocuments: 'backoffice-documents',
  webhooks: 'webhooks',
  replayBatches: 'replay-batches',
} as const

export type QueueName = (typeof queueNames)[keyof typeof queueNames]
