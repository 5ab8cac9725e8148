/** Route paths, so both sides spell them the same way. */
export const API = {
  healthz: '/healthz',
  /** Prometheus text format; see config `metrics` (token, or a separate loopback listener). */
  metrics: '/metrics',
  // admin
  login: '/api/v1/admin/login',
  nodes: '/api/v1/admin/nodes',
  admins: '/api/v1/admin/admins',
  enrollmentTokens: '/api/v1/admin/enrollment-tokens',
  devices: '/api/v1/admin/devices',
  notices: '/api/v1/admin/notices',
  notice: (id: string) => `/api/v1/admin/notices/${encodeURIComponent(id)}`,
  noticeAction: (id: string, action: NoticeAction) =>
    `/api/v1/admin/notices/${encodeURIComponent(id)}/${action}`,
  noticePlays: (id: string) => `/api/v1/admin/notices/${encodeURIComponent(id)}/plays`,
  noticeAudit: '/api/v1/admin/notice-audit',
  /** A draft as the LED sign draws it (PNG) and on the lobby page (HTML), with the devices' own renderer. */
  noticePreviewLed: '/api/v1/admin/notices/preview/led',
  noticePreviewLobby: '/api/v1/admin/notices/preview/lobby',
  media: '/api/v1/admin/media',
  devicePlays: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/plays`,
  deviceScreenshot: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/screenshot`,
  enrollmentTokenRevoke: (id: string) => `/api/v1/admin/enrollment-tokens/${encodeURIComponent(id)}/revoke`,
  deviceRevoke: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/revoke`,
  /** The console's device page: role, node path and zone, online now, runtime version (issue 12). */
  device: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}`,
  /** A device's channel sessions, newest first: its online history (issue 12). */
  deviceSessions: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/sessions`,
  // fleet operations (issue 12)
  /** GET/PUT the settings set on one node (a patch; null clears a key). */
  nodeConfig: (nodeId: string) => `/api/v1/admin/nodes/${encodeURIComponent(nodeId)}/config`,
  /** GET the device's effective settings with each one's source; PUT its own overrides. */
  deviceConfigAdmin: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/config`,
  deviceCommands: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/commands`,
  // health and alerts (issue 12)
  deviceHealth: (id: string) => `/api/v1/admin/devices/${encodeURIComponent(id)}/health`,
  alerts: '/api/v1/admin/alerts',
  alertAcknowledge: (id: string) => `/api/v1/admin/alerts/${encodeURIComponent(id)}/acknowledge`,
  command: (id: string) => `/api/v1/admin/commands/${encodeURIComponent(id)}`,
  /** GET the webhook endpoints a node owns; POST one (its signing secret is in the answer once). */
  nodeWebhooks: (nodeId: string) => `/api/v1/admin/nodes/${encodeURIComponent(nodeId)}/webhooks`,
  /** GET, PATCH, DELETE one webhook endpoint. */
  webhook: (id: string) => `/api/v1/admin/webhooks/${encodeURIComponent(id)}`,
  webhookDeliveries: (id: string) => `/api/v1/admin/webhooks/${encodeURIComponent(id)}/deliveries`,
  /** POST: send a `webhook.test` event to this endpoint now. */
  webhookTest: (id: string) => `/api/v1/admin/webhooks/${encodeURIComponent(id)}/test`,
  /** POST: a new signing secret, shown in this answer once; the old one stops signing at once. */
  webhookRotateSecret: (id: string) => `/api/v1/admin/webhooks/${encodeURIComponent(id)}/rotate-secret`,
  // enrollment
  enrollChallenge: '/api/v1/enroll/challenge',
  enroll: '/api/v1/enroll',
  // device
  deviceChallenge: '/api/v1/device/challenge',
  deviceSession: '/api/v1/device/session',
  deviceChannel: '/api/v1/device/channel',
  deviceKeyset: '/api/v1/device/keyset',
  /** TUF metadata of this device's own repository view: `<v>.root.json`, `timestamp.json`, `<v>.snapshot.json`, `<v>.targets.json`. */
  deviceTufMetadata: '/api/v1/device/tuf/metadata',
  /** TUF targets, content-addressed: `manifest/<sha256>.<deviceId>.json`, `media/<sha256>.<sha256>.<ext>`. */
  deviceTufTargets: '/api/v1/device/tuf/targets',
  devicePlaysUpload: '/api/v1/device/plays',
  deviceFaults: '/api/v1/device/faults',
  // fleet operations (issue 12)
  /** Signed target state (`linli.target-state/v1`), ETag / 304. */
  deviceConfig: '/api/v1/device/config',
  deviceConfigReport: '/api/v1/device/config/report',
  deviceCommandResult: '/api/v1/device/commands/result',
  deviceScreenshotUpload: (requestId: string) =>
    `/api/v1/device/screenshots/${encodeURIComponent(requestId)}`,
  deviceBills: '/api/v1/device/bills',
  devicePayments: '/api/v1/device/payments',
  devicePayment: (id: string) => `/api/v1/device/payments/${encodeURIComponent(id)}`,
  devicePaymentPresent: (id: string) => `/api/v1/device/payments/${encodeURIComponent(id)}/present`,
  devicePaymentAuthorization: (id: string) =>
    `/api/v1/device/payments/${encodeURIComponent(id)}/authorization`,
  devicePaymentCancel: (id: string) => `/api/v1/device/payments/${encodeURIComponent(id)}/cancel`,
  devicePaymentClose: (id: string) => `/api/v1/device/payments/${encodeURIComponent(id)}/close`,
  // payments (#5)
  devicePaymentUnknown: (id: string) => `/api/v1/device/payments/${encodeURIComponent(id)}/unknown`,
  deviceCardBills: '/api/v1/device/card-bills',
  deviceReprints: '/api/v1/device/reprints',
  deviceReprintDone: (id: string) => `/api/v1/device/reprints/${encodeURIComponent(id)}/done`,
  cards: '/api/v1/admin/cards',
  cardRevoke: (id: string) => `/api/v1/admin/cards/${encodeURIComponent(id)}/revoke`,
  adminPayments: '/api/v1/admin/payments',
  adminPayment: (id: string) => `/api/v1/admin/payments/${encodeURIComponent(id)}`,
  adminPaymentRefunds: (id: string) => `/api/v1/admin/payments/${encodeURIComponent(id)}/refunds`,
  adminPaymentReprint: (id: string) => `/api/v1/admin/payments/${encodeURIComponent(id)}/reprint`,
  reconciliation: '/api/v1/admin/reconciliation',
  walletNotify: '/api/v1/wallet/notify',
  // service matters and appointments (#6)
  adminServiceCategories: '/api/v1/admin/service-categories',
  adminServiceCategory: (id: string) => `/api/v1/admin/service-categories/${encodeURIComponent(id)}`,
  adminMatters: '/api/v1/admin/matters',
  adminMatter: (id: string) => `/api/v1/admin/matters/${encodeURIComponent(id)}`,
  adminOffices: '/api/v1/admin/offices',
  adminOffice: (id: string) => `/api/v1/admin/offices/${encodeURIComponent(id)}`,
  adminAppointments: '/api/v1/admin/appointments',
  adminAppointmentCancel: (id: string) => `/api/v1/admin/appointments/${encodeURIComponent(id)}/cancel`,
  deviceAppointmentDays: '/api/v1/device/appointments/days',
  deviceAppointmentSlots: '/api/v1/device/appointments/slots',
  deviceAppointments: '/api/v1/device/appointments',
  deviceAppointmentLookup: '/api/v1/device/appointments/lookup',
  deviceAppointmentCancel: '/api/v1/device/appointments/cancel',
  // public
  appointmentPage: (id: string) => `/a/${encodeURIComponent(id)}`,
  receiptPage: (id: string) => `/r/${encodeURIComponent(id)}`,
  receiptVerify: '/api/v1/receipts/verify',
} as const;

export type NoticeAction = 'submit' | 'approve' | 'reject' | 'withdraw' | 'emergency' | 'renew' | 'audit';

/** Header that carries the kiosk's idempotency key on payment requests. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
