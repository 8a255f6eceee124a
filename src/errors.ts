// Stable error codes and their HTTP statuses. Clients (portals, kiosks, apps) switch on `code`,
// so a code, once published, never changes meaning; the Vietnamese message may be reworded.

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  /** A path parameter longer than the router accepts (100 characters). */
  URI_TOO_LONG: 414,
  VALIDATION_FAILED: 422,
  ACTION_NOT_AVAILABLE: 422,
  COMMENT_REQUIRED: 422,
  GUARD_FAILED: 422,
  MISSING_DOCUMENT: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  CAMPAIGN_CLOSED: 422,
  APOLOGY_REQUIRED: 422,
  QUOTA_FULL: 409,
  SURVEY_NOT_OPEN: 422,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  ACTION_FORBIDDEN: 403,
  UNIT_FORBIDDEN: 403,
  SIGNER_NOT_AUTHORISED: 403,
  UNIT_NOT_ALLOWED: 422,
  EXTENSION_LIMIT: 422,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PROCEDURE_NOT_FOUND: 404,
  /** Intake: an administrator switched the procedure off; dossiers already filed go on. */
  PROCEDURE_DISABLED: 422,
  /** An uploaded workflow file fails the checks made at boot; `fields` keyed "file.yaml:path.in.file". */
  WORKFLOW_INVALID: 422,
  /** A unit role the procedure's workflow names (desk, office, leadership) has no unit assigned by an administrator. */
  PROCEDURE_NOT_CONFIGURED: 422,
  DOSSIER_NOT_FOUND: 404,
  DOCUMENT_NOT_FOUND: 404,
  FORM_NOT_FOUND: 404,
  RESULT_NOT_READY: 404,
  /** The public admission look-up: no published result for this pupil ID and birth date (which of them is wrong is never said). */
  ADMISSION_RESULT_NOT_FOUND: 404,
  STALE_VERSION: 409,
  SURVEY_ALREADY_SUBMITTED: 409,
  /** The first-run set-up (/quan-tri/thiet-lap, POST /api/admin/setup) runs once; later changes use the organisation pages. */
  SETUP_ALREADY_DONE: 409,
  /** Administration: an agency code (QCVN 102) or a unit id that is already taken. */
  AGENCY_EXISTS: 409,
  UNIT_EXISTS: 409,
  /** Administration: an admission campaign id that is already taken. */
  CAMPAIGN_EXISTS: 409,
  /** Admissions: another assignment run of the campaign is still running; a run that is not done cannot be published. */
  ASSIGNMENT_RUNNING: 409,
  RUN_NOT_DONE: 409,
  /** Admission notices are sent for the latest published run of a campaign only. */
  NOTICES_NOT_ALLOWED: 409,
  ADMISSION_WINDOW_CLOSED: 409,
  DUPLICATE_REGISTRATION: 409,
  /** Admissions: confirming enrolment for a pupil with no admitted place (in the latest published run), or choosing supplementary schools once enrolled. */
  ADMISSION_NOT_ADMITTED: 409,
  ADMISSION_ALREADY_ENROLLED: 409,
  /** Admissions: one re-marking request per pupil per campaign; a request is decided once. */
  REMARKING_EXISTS: 409,
  REMARKING_DECIDED: 409,
  /** Admissions: deciding a re-marking whose pupil has no score row any more (a score file imported since without them). */
  REMARKING_NO_SCORE: 409,
  /** Administration: no agency with this code (the document register of an agency). */
  AGENCY_NOT_FOUND: 404,
  /** Administration: no document kind with this key (document_kinds: decision, notice, copy, receipt, ...). */
  DOCUMENT_KIND_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_FILE_TYPE: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  /** Sign-in: too many wrong passwords for this account; refused without checking the password, Retry-After says when. */
  LOGIN_THROTTLED: 429,
  /** Reports: as many streamed exports as a server process allows are being downloaded (EXPORT_CONCURRENCY); Retry-After. */
  EXPORT_BUSY: 429,
  /** An unsafe /api request authenticated by the session cookie without the CSRF token or a same-origin Origin. */
  CSRF_REJECTED: 403,
  PASSWORD_WEAK: 422,
  PASSWORD_WRONG: 422,
  /** A session signed in with a temporary password may only change it, read /api/auth/me and sign out. */
  PASSWORD_CHANGE_REQUIRED: 403,
  /** Sign-in: the password is right but the account has two-factor on and no code came (TOTP_INVALID: a wrong one). */
  TOTP_REQUIRED: 401,
  TOTP_INVALID: 401,
  TOTP_ALREADY_ENABLED: 409,
  /** Enrolment confirmed with a code from a secret that a newer enrolment (another tab) has since replaced. */
  TOTP_ENROLMENT_REPLACED: 409,
  /** Sign-in with a temporary password older than its validity: the administrator must issue a new one. */
  TEMPORARY_PASSWORD_EXPIRED: 401,
  STAFF_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  /** The change would leave no active administrator. */
  LAST_ADMIN: 409,
  INTERNAL_ERROR: 500,
  SIGNING_KEY_MISSING: 500,
  /**
   * The signer's or the seal's certificate has ended (or not begun): its signature would be rejected by every verifier.
   * Refused until an administrator registers a valid key; the issue-result job keeps retrying it (jobs/registry.ts).
   */
  SIGNING_KEY_EXPIRED: 422,
  SIGNING_PIN_REQUIRED: 422,
  SIGNING_PIN_INVALID: 422,
  /** Too many wrong PINs: the key is locked for a while (the PIN is not checked); Retry-After says when. */
  SIGNING_PIN_LOCKED: 423,
  SIGNING_NOT_PENDING: 409,
  /** PIN signing (single or batch) by a staff member who has no key held on the server (none, or a signing device only). */
  NO_SIGNING_KEY: 403,
  PREPARATION_NOT_FOUND: 404,
  PREPARATION_EXPIRED: 410,
  SIGNATURE_INVALID: 422,
  CERTIFICATE_MISMATCH: 422,
  /** Local signing agent (USB token): a download/upload token that does not exist, has expired, was already used. */
  SIGNING_TOKEN_INVALID: 404,
  SIGNING_TOKEN_EXPIRED: 410,
  SIGNING_TOKEN_USED: 409,
  /** The agent's download link serves the file once. */
  SIGNING_DOCUMENT_DOWNLOADED: 410,
  /** The agent's upload does not start with exactly the bytes served. */
  SIGNED_FILE_MODIFIED: 422,
  /** The agent's upload adds no signature, or more than one. */
  SIGNATURE_COUNT_INVALID: 422,
  /** The new signature does not cover the whole file but its own /Contents (hence the whole served revision). */
  SIGNATURE_COVERAGE_INVALID: 422,
  /** The agent's update changes something a signature does not add (page content, a page, an annotation, metadata). */
  SIGNED_FILE_EXTRA_CHANGES: 422,
  /** The agent's update is not a PDF structure we read (e.g. a cross-reference stream). */
  SIGNED_FILE_UNREADABLE: 422,
  /** Registering a signing key whose certificate has ended / has not begun: it could only make invalid signatures. */
  CERTIFICATE_EXPIRED: 422,
  CERTIFICATE_NOT_YET_VALID: 422,
  /** Deactivating a signing key that was already deactivated or replaced. */
  KEY_ALREADY_INACTIVE: 409,
  /** POST /api/verify: more signature dictionaries than a result can carry (a bound against hostile files). */
  TOO_MANY_SIGNATURES: 422,
  /** POST /api/verify: the file was not verified within the time budget; Retry-After says when to try again. */
  VERIFICATION_TIMEOUT: 503,
  SERVICE_UNAVAILABLE: 503,
  /** Object storage (S3_ENDPOINT) did not take or give a file: nothing was recorded; try again later. */
  FILE_STORAGE_UNAVAILABLE: 503,
  /** A stored file's bytes no longer match the SHA-256 recorded when it was stored: it is not served (storage/README.md). */
  FILE_INTEGRITY_FAILED: 500,
  /**
   * PAdES B-LT: a signer's certificate names an OCSP responder or a CRL and none answered (in REVOCATION_TIMEOUT_MS);
   * the result is not issued yet (the issue-result job retries, an official signing by PIN or device tries again).
   */
  REVOCATION_UNAVAILABLE: 503,
  /** The OCSP responder or CRL says a signer's certificate is revoked: no result is issued with it. */
  SIGNING_CERTIFICATE_REVOKED: 422,
  /** Remote signing (SmartCA-style): no provider configured on this server. */
  REMOTE_SIGNING_NOT_CONFIGURED: 503,
  /** The remote-signing provider did not answer (or answered 5xx); nothing was sent to the holder's phone. */
  REMOTE_SIGNING_UNAVAILABLE: 503,
  /** The provider refused the request (its message is passed on). */
  REMOTE_SIGNING_REFUSED: 502,
  /** Key registration: the provider has no certificate for this ID number. */
  REMOTE_HOLDER_NOT_FOUND: 422,
  /** Remote signing by a staff member who is not registered for it. */
  NO_REMOTE_SIGNING_KEY: 403,
  /** GET /api/signatures/remote/:requestId — unknown, or another official's request. */
  REMOTE_SIGNING_NOT_FOUND: 404,
  /** The dossier is already in a remote-signing request waiting for the phone. */
  REMOTE_SIGNING_IN_PROGRESS: 409,
  /** Outcomes reported by GET /api/signatures/remote/:requestId (never an HTTP answer): the holder rejected on the phone, or nobody confirmed in time. */
  REMOTE_SIGNING_REJECTED: 409,
  REMOTE_SIGNING_EXPIRED: 410,
  /** Citizens' VNeID sign-in (OpenID Connect): no identity provider configured on this server. */
  CITIZEN_LOGIN_NOT_CONFIGURED: 503,
  /** The callback's state is not the one this browser's login started with, or the login started over 10 min ago. */
  CITIZEN_LOGIN_STATE_INVALID: 400,
  /** The citizen cancelled or refused on the provider's pages (access_denied). */
  CITIZEN_LOGIN_DENIED: 403,
  /** The provider refused the code or answered with an error, or its ID token did not verify (nonce, issuer, signature). */
  CITIZEN_LOGIN_FAILED: 400,
  /** The provider's claims do not describe a citizen (an ID number not of 12 digits, a date that is none): nothing is written. */
  CITIZEN_CLAIMS_INVALID: 422,
  /** The provider did not answer in OIDC_TIMEOUT_MS, or answered 5xx. */
  IDENTITY_PROVIDER_UNAVAILABLE: 503,
  /** Feedback and complaints: an unknown code, a wrong token, or an item of another agency look the same. */
  FEEDBACK_NOT_FOUND: 404,
  /** The item was answered already (an answer is final; a second one would contradict what the filer was told). */
  FEEDBACK_ALREADY_ANSWERED: 409,
  /** Intake by reference (documentRefs, `ref:<key>`): the stored document is not the signed-in citizen's nor one of their children's. */
  DOCUMENT_NOT_YOURS: 422,
  /** Digitising a dossier for a person: its documents are already in another person's store (remove them there first). */
  DOCUMENT_IN_ANOTHER_STORE: 409,
  /** "Gỡ khỏi kho" of a stored document that was not digitised (an issued result stays). */
  DOCUMENT_NOT_REMOVABLE: 409,
  /** Intake while signed in with VNeID: the child chosen is not one of the filer's children in the claims. */
  NOT_YOUR_CHILD: 422,
  /** Intake while signed in: the procedure does not allow filing for that person (the workflow's `filing.for`). */
  FILING_NOT_ALLOWED: 422,
  /** Online fees: no Payment Platform configured on this server (fees are taken at the desk). */
  PAYMENT_PLATFORM_NOT_CONFIGURED: 503,
  /** The Payment Platform did not answer, or refused to open the payment; nothing is left pending. Retry-After when a retry may help. */
  PAYMENT_PLATFORM_UNAVAILABLE: 503,
  /** A procedure paid before processing (fee.payment before-processing): only refusing or asking for a supplement until the fee is paid. */
  PAYMENT_REQUIRED: 422,
  /** A Payment Platform callback whose MaXacThuc does not match the shared secret: refused, logged, nothing changed. */
  PAYMENT_CHECKSUM_INVALID: 403,
  /** A verified callback that does not match our payment (partner, amount, currency): refused, logged, nothing changed. */
  PAYMENT_CALLBACK_MISMATCH: 422,
  /** A callback that is not the platform's message shape. */
  PAYMENT_CALLBACK_INVALID: 400,
  /**
   * Inbound dossiers from the national portal (POST /api/national-portal/dossiers). No portal link configured on this
   * server: 404, the endpoint does not exist here (a 503 would tell the portal to retry what never will succeed).
   */
  NATIONAL_PORTAL_DISABLED: 404,
  /** The portal's HMAC headers are missing, older than 5 minutes, or do not match the raw body. */
  NATIONAL_SIGNATURE_INVALID: 401,
  /** The same national dossier code (MaHoSo) pushed again with another body than the dossier we hold for it. */
  NATIONAL_CODE_CONFLICT: 409,
  /** No published procedure has this national procedure code (MaTTHC). */
  NATIONAL_PROCEDURE_UNKNOWN: 422,
  /** An attachment URL not on the configured portal's origin (we fetch from the portal only: no request forgery). */
  NATIONAL_ATTACHMENT_REFUSED: 422,
  /**
   * An attachment could not be fetched from the portal (error, timeout, too large, wrong sha256): nothing was imported
   * and the portal should resend the dossier later. 424 (failed dependency): the push failed on the portal's own file.
   */
  NATIONAL_ATTACHMENT_UNAVAILABLE: 424,
  /** Fees: no payment of the dossier has this reference (or the dossier is not the caller's to see). */
  PAYMENT_NOT_FOUND: 404,
  /** A refund, or a receipt, for a payment that is not paid (pending, failed, cancelled). */
  PAYMENT_NOT_PAID: 409,
  /** The dossier's fee is paid already: no second payment is taken. */
  PAYMENT_ALREADY_MADE: 409,
  /** The dossier's procedure charges no fee (or the dossier owes none). */
  PAYMENT_NOT_REQUIRED: 422,
  /** A desk payment whose amount is not the fee the dossier owes. */
  PAYMENT_AMOUNT_MISMATCH: 422,
  /** Refunds would add up to more than was paid. */
  REFUND_EXCEEDS_PAYMENT: 422,
  /** GET …/payments/:reference/receipt before the electronic receipt is issued. */
  RECEIPT_NOT_READY: 404,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly statusCode: number;
  /** Sent as Retry-After when set (plugins/security-headers.ts): the refusal ends at a known time. */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = ERROR_STATUS[code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

// Errors several use-cases raise with the same words.

/** Unknown dossiers and wrong tracking tokens look the same to the caller. */
export function dossierNotFound(): AppError {
  return new AppError('DOSSIER_NOT_FOUND', 'Không tìm thấy hồ sơ hoặc mã tra cứu không đúng.');
}

/** Optimistic concurrency: the version the caller saw is no longer the dossier's. */
export function staleVersion(): AppError {
  return new AppError('STALE_VERSION', 'Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại và thử lại.');
}

/**
 * A zod failure as VALIDATION_FAILED, one message per field keyed like the JSON path ("schools.2.quota", "body" for
 * the whole input); the first issue of a path wins.
 */
export function validationFailed(
  error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> },
  message = 'Dữ liệu chưa hợp lệ, xem từng trường.',
): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.map(String).join('.') || 'body'] ??= issue.message;
  return new AppError('VALIDATION_FAILED', message, fields);
}
