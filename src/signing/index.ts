// Digital signatures for result documents (PAdES B-B, B-T with a TSA): CMS built with node-forge ASN.1 and signed
// with node:crypto — or by an external signer between prepare and embed —, incremental PDF updates (pdf-increment.ts,
// the visible stamp as the signature widget's appearance), RFC 3161 timestamps, PKCS#12 import, verification, and a demo PKI.
export {
  buildDetachedCms,
  buildDetachedCmsAsync,
  certificateDer,
  prepareDetachedCms,
  type BuildDetachedCmsOptions,
  type CertificateInput,
  type DetachedCmsOptions,
  type PreparedCms,
} from './cms.js';
export {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAndKey,
  type CertificateAuthorityOptions,
  type LeafCertificateOptions,
} from './keys.js';
export { createPkcs12, parsePkcs12, type Pkcs12Contents } from './pkcs12.js';
export {
  embedCms,
  preparePdfSignature,
  reopenPrepared,
  signPdf,
  SigningError,
  type PreparedPdfSignature,
  type SignatureAppearance,
  type SignPdfOptions,
  type SubFilter,
  type Timestamper,
} from './sign-pdf.js';
export { rfc3161Timestamper } from './tsa.js';
export { PdfIncrement, PdfReader, PdfStructureError, pdfText, type BuiltIncrement } from './pdf-increment.js';
export { extractCms, findSignatures, parseCertificates, verifyPdfSignatures, type PdfSignatureReport, type PdfVerification } from './verify-pdf.js';
