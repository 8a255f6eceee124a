// CMS (RFC 5652) SignedData for detached PDF signatures, built with node-forge's ASN.1 but signed elsewhere:
// forge's RSA is ~80x slower than node:crypto, and a USB token or remote signer only ever sees the signed
// attributes. forge.pkcs7 is not used because it neither DER-sorts signed attributes nor knows
// signingCertificateV2 (RFC 5035), which PAdES (ETSI.CAdES.detached) requires.
import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

export type CertificateInput = forge.pki.Certificate | string | Buffer;

export interface DetachedCmsOptions {
  /** SHA-256 of the signed content (for a PDF: the bytes covered by /ByteRange). */
  contentDigest: Buffer;
  /** The signer's certificate: PEM, DER or a forge certificate. */
  certificate: CertificateInput;
  /** Intermediate/root certificates to embed so verifiers can build the path. */
  chain?: CertificateInput[];
  /**
   * Accepted for callers that have one, but deliberately not encoded: PAdES puts the claimed signing time
   * in the signature dictionary (/M) and forbids the CMS signingTime attribute.
   */
  signingTime?: Date;
  /** Signature algorithm OID for SignerInfo; rsaEncryption (PKCS#1 v1.5) unless the key is not RSA. */
  signatureAlgorithmOid?: string;
}

export interface BuildDetachedCmsOptions extends DetachedCmsOptions {
  /** Signs the DER of the signed attributes (a SET, tag 0x31) with SHA-256; returns the raw signature. */
  sign: (signedAttrsDer: Buffer) => Buffer;
}

export interface PreparedCms {
  /** What the signer must sign (SHA-256 + the key's algorithm): DER of the signed attributes as a SET. */
  signedAttributes: Buffer;
  /**
   * Wraps the signature into the final ContentInfo DER. `timestampToken` (an RFC 3161 TimeStampToken, DER) goes
   * into the unsigned attributes as signatureTimeStampToken: PAdES B-T.
   */
  assemble: (signature: Buffer, timestampToken?: Buffer) => Buffer;
}

// --- small ASN.1 vocabulary ----------------------------------------------------------------------------------

const node = (type: forge.asn1.Type, value: string | Asn1[], constructed = Array.isArray(value)): Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, type, constructed, value);
const seq = (items: Asn1[]): Asn1 => node(asn1.Type.SEQUENCE, items);
const set = (items: Asn1[]): Asn1 => node(asn1.Type.SET, items);
const oid = (value: string): Asn1 => node(asn1.Type.OID, asn1.oidToDer(value).getBytes());
const octets = (value: Buffer): Asn1 => node(asn1.Type.OCTETSTRING, value.toString('binary'));
const integer = (value: number): Asn1 => node(asn1.Type.INTEGER, asn1.integerToDer(value).getBytes());
const nul = (): Asn1 => node(asn1.Type.NULL, '');
const tagged = (tag: number, items: Asn1[]): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, items);
const algorithm = (id: string, withNull: boolean): Asn1 => seq(withNull ? [oid(id), nul()] : [oid(id)]);

export const toDer = (value: Asn1): Buffer => Buffer.from(asn1.toDer(value).getBytes(), 'binary');
export const fromDer = (der: Buffer): Asn1 => asn1.fromDer(der.toString('binary'));

const attribute = (type: string, value: Asn1): Asn1 => seq([oid(type), set([value])]);

/** X.690 §11.6: DER encodes SET OF elements in ascending order of their encodings. */
export function derSort(items: Asn1[]): Asn1[] {
  return items
    .map((item) => ({ item, der: toDer(item) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((entry) => entry.item);
}

// --- certificates ----------------------------------------------------------------------------------------------

interface CertificateInfo {
  der: Buffer;
  node: Asn1;
  issuer: Asn1;
  serial: Asn1;
  sha256: Buffer;
}

// The same signing certificate comes back for every document; parsing it once saves most of the ASN.1 work.
const certificateCache = new Map<string, CertificateInfo>();
const MAX_CACHED_CERTIFICATES = 64;

export function certificateDer(input: CertificateInput): Buffer {
  if (Buffer.isBuffer(input)) return input;
  if (typeof input === 'string') return new X509Certificate(input).raw;
  return toDer(forge.pki.certificateToAsn1(input));
}

function certificateInfo(input: CertificateInput): CertificateInfo {
  const der = certificateDer(input);
  const sha256 = createHash('sha256').update(der).digest();
  const key = sha256.toString('hex');
  const cached = certificateCache.get(key);
  if (cached) return cached;

  const parsed = fromDer(der);
  // The certificate goes into the CMS as a parsed node; make sure forge re-encodes it byte for byte, or its
  // own signature would no longer verify.
  if (!toDer(parsed).equals(der)) throw new Error('Certificate is not DER-encoded (re-encoding changed it)');
  const tbs = (parsed.value as Asn1[])[0];
  const fields = tbs?.value as Asn1[] | undefined;
  if (!fields) throw new Error('Not an X.509 certificate');
  const first = fields[0];
  const offset = first && first.tagClass === asn1.Class.CONTEXT_SPECIFIC && first.type === 0 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  if (!serial || !issuer) throw new Error('Not an X.509 certificate');

  const info: CertificateInfo = { der, node: parsed, issuer, serial, sha256 };
  if (certificateCache.size >= MAX_CACHED_CERTIFICATES) certificateCache.clear();
  certificateCache.set(key, info);
  return info;
}

// --- SignedData ------------------------------------------------------------------------------------------------

/** Two-phase build for signers that cannot be called synchronously (tokens, remote signing services). */
export function prepareDetachedCms(options: DetachedCmsOptions): PreparedCms {
  if (options.contentDigest.length !== 32) throw new Error('contentDigest must be a SHA-256 digest (32 bytes)');
  const signer = certificateInfo(options.certificate);
  const chain = (options.chain ?? []).map(certificateInfo).filter((c) => !c.der.equals(signer.der));

  const essCertIdV2 = seq([
    // hashAlgorithm omitted: sha256 is its DEFAULT, and DER forbids encoding a default value.
    octets(signer.sha256),
    seq([seq([tagged(4, [signer.issuer])]), signer.serial]),
  ]);
  const signedAttributes = derSort([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(options.contentDigest)),
    attribute(OID.signingCertificateV2, seq([seq([essCertIdV2])])),
  ]);
  const signedAttributesDer = toDer(set(signedAttributes));
  const signatureOid = options.signatureAlgorithmOid ?? OID.rsaEncryption;

  const assemble = (signature: Buffer, timestampToken?: Buffer): Buffer => {
    const unsigned = timestampToken ? [tagged(1, [attribute(OID.signatureTimeStampToken, fromDer(timestampToken))])] : [];
    const signerInfo = seq([
      integer(1),
      seq([signer.issuer, signer.serial]),
      algorithm(OID.sha256, false),
      // Same attributes, [0] IMPLICIT instead of SET: the signature covers the SET form (RFC 5652 §5.4).
      tagged(0, signedAttributes),
      algorithm(signatureOid, signatureOid === OID.rsaEncryption),
      octets(signature),
      ...unsigned,
    ]);
    const signedData = seq([
      integer(1),
      set([algorithm(OID.sha256, false)]),
      seq([oid(OID.data)]),
      tagged(0, [signer.node, ...chain.map((c) => c.node)]),
      set([signerInfo]),
    ]);
    return toDer(seq([oid(OID.signedData), tagged(0, [signedData])]));
  };

  return { signedAttributes: signedAttributesDer, assemble };
}

/** DER ContentInfo(SignedData) with no encapsulated content, one signer. */
export function buildDetachedCms(options: BuildDetachedCmsOptions): Buffer {
  const prepared = prepareDetachedCms(options);
  return prepared.assemble(options.sign(prepared.signedAttributes));
}

/** Same, for a signer that answers asynchronously. */
export async function buildDetachedCmsAsync(
  options: DetachedCmsOptions & { sign: (signedAttrsDer: Buffer) => Buffer | Promise<Buffer> },
): Promise<Buffer> {
  const prepared = prepareDetachedCms(options);
  return prepared.assemble(await options.sign(prepared.signedAttributes));
}

/**
 * PAdES B-T for a CMS made elsewhere (a remote signing provider's): the RFC 3161 token over its SignerInfo's
 * signature value goes into that SignerInfo's unsigned attributes as signatureTimeStampToken. Only the unsigned
 * attributes change — they are outside what the signature covers — and the rest must come back byte for byte
 * (checked: a CMS that forge cannot re-encode exactly is refused rather than altered). A CMS that carries a
 * signatureTimeStampToken already is returned as it is.
 */
export async function addSignatureTimestamp(cms: Buffer, timestamp: (signatureValue: Buffer) => Promise<Buffer>): Promise<Buffer> {
  const root = fromDer(cms);
  if (!toDer(root).equals(cms)) throw new Error('CMS is not DER-encoded (re-encoding changed it)');
  const signedData = ((root.value as Asn1[] | undefined)?.[1]?.value as Asn1[] | undefined)?.[0];
  const signerInfos = (signedData?.value as Asn1[] | undefined)?.at(-1);
  const signerInfo = (signerInfos?.value as Asn1[] | undefined)?.[0];
  const fields = signerInfo?.value as Asn1[] | undefined;
  if (!fields || signerInfos?.type !== asn1.Type.SET) throw new Error('Not a CMS SignedData with a SignerInfo');
  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
  const signatureAt = fields.findIndex((f, i) => i >= 4 && f.tagClass === asn1.Class.UNIVERSAL && f.type === asn1.Type.OCTETSTRING);
  const signature = fields[signatureAt];
  if (signatureAt < 0 || !signature) throw new Error('SignerInfo without a signature value');
  const unsigned = fields[signatureAt + 1];
  const existing = unsigned && unsigned.tagClass === asn1.Class.CONTEXT_SPECIFIC && unsigned.type === 1 ? unsigned.value as Asn1[] : undefined;
  const stampedAlready = existing?.some((a) => {
    const type = (a.value as Asn1[] | undefined)?.[0];
    return type?.type === asn1.Type.OID && asn1.derToOid(type.value as string) === OID.signatureTimeStampToken;
  });
  if (stampedAlready) return cms;
  const token = await timestamp(Buffer.from(signature.value as string, 'binary'));
  const stamp = attribute(OID.signatureTimeStampToken, fromDer(token));
  if (existing) unsigned!.value = derSort([...existing, stamp]);
  else fields.splice(signatureAt + 1, 0, tagged(1, [stamp]));
  return toDer(root);
}
