// Digital signatures for result documents: CMS/PAdES structures built with node-forge ASN.1 and signed with
// node:crypto (or any external signer via prepareDetachedCms), PDF signing via @signpdf, and a demo PKI.
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
export { signPdf, SigningError, type SignPdfOptions, type SubFilter } from './sign-pdf.js';
