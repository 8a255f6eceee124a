// PAdES B-LT: the validation data a verifier needs years later — the certificates and, for every certificate of a
// signer's trusted chain that names an OCSP responder or a CRL distribution point, its OCSP response or CRL (fresh,
// and only from the sources such a certificate names: collectValidationData) — gathered right after the last
// signature and stored in a Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4): the catalog
// gains /DSS << /Certs [...] /OCSPs [...] /CRLs [...] >>, each entry a stream of DER bytes.
//
// The DSS goes in as ONE incremental update written here (new streams, the DSS dictionary, the catalog again with
// /DSS, a classic xref section chained with /Prev, a trailer with the right /Size): the signed bytes never change.
// The verifier accepts such an update after the last signature only when it does nothing else
// (readDssIncrement), so `intact` still means "nothing was changed or added" apart from validation data.
// Objects are read with pdf-lib's object parser; the file's layout (xref sections, trailers) is read here, bounded.
import { randomBytes, X509Certificate } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import forge from 'node-forge';
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import { ObjectReader, readObjectAt, readXrefSection, skipSpace, type IndirectObject, type XrefSection } from './pdf-objects.js';
import {
  assertFresh, checkCrl, checkOcspResponse, fromDerNoBitStrings, MAX_CRL_BYTES, ocspRequest, RevocationError, revocationPointers, type RevocationEvidence,
} from './revocation.js';

export interface DssContent {
  /** DER certificates: the signers', their CAs', OCSP responders'. */
  certificates: Buffer[];
  /** DER OCSPResponse (the whole response, as RFC 6960 sends it). */
  ocspResponses: Buffer[];
  /** DER CertificateList. */
  crls: Buffer[];
}

export class LtvError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LtvError';
  }
}

/** Entries of one DSS array the verifier reads; ours hold 1-4 (a signer, a seal, their CA, a responder). */
export const MAX_DSS_ENTRIES = 64;
/** Objects a DSS-only update may define: the catalog, the DSS, its entries, a VRI dictionary per signature. */
const MAX_DSS_OBJECTS = 3 * MAX_DSS_ENTRIES + 2 * 20 + 4;
/** xref sections followed back from the end of the file when looking for the catalog. */
const MAX_XREF_HOPS = 64;

// --- reading objects (pdf-objects.ts) ----------------------------------------------------------------------------

function lastStartXref(text: string, end = text.length): { offset: number; at: number } {
  const window = text.slice(Math.max(0, end - 1024), end);
  const matches = [...window.matchAll(/startxref[ \t\r\n]+(\d{1,15})[ \t\r\n]+%%EOF[ \t\r\n]*$/g)];
  const last = matches.at(-1);
  if (!last?.[1]) throw new LtvError('the file does not end with startxref and %%EOF');
  return { offset: Number(last[1]), at: Math.max(0, end - 1024) + last.index };
}

const numberOf = (dict: PDFDict, key: string): number | undefined => {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFNumber ? value.asNumber() : undefined;
};

interface Revision {
  startxref: number;
  trailer: PDFDict;
  rootRef: PDFRef;
  catalog: PDFDict;
  size: number;
}

/** The latest revision's trailer and catalog: the last xref section, then /Prev back until the catalog is listed. */
function readRevision(pdf: Buffer, text: string, reader: ObjectReader): Revision {
  const { offset: startxref } = lastStartXref(text);
  const last = readXrefSection(text, reader, startxref);
  const rootRef = last.trailer.get(PDFName.of('Root'));
  const size = numberOf(last.trailer, 'Size');
  if (!(rootRef instanceof PDFRef) || size === undefined) throw new LtvError('trailer without /Root or /Size');
  let section: XrefSection | undefined = last;
  // Each section is read once (a /Prev loop is cut), so the work stays within the file's size.
  const seen = new Set<number>([startxref]);
  for (let hop = 0; section && hop < MAX_XREF_HOPS; hop++) {
    const entry = section.entries.get(rootRef.objectNumber);
    if (entry) {
      const object = readObjectAt(text, reader, entry.offset);
      if (object.number !== rootRef.objectNumber || !(object.value instanceof PDFDict)) throw new LtvError('the catalog is not where the xref says');
      return { startxref, trailer: last.trailer, rootRef, catalog: object.value, size };
    }
    const prev = numberOf(section.trailer, 'Prev');
    section = prev === undefined || prev >= pdf.length || seen.has(prev) ? undefined : readXrefSection(text, reader, prev);
    if (prev !== undefined) seen.add(prev);
  }
  throw new LtvError('catalog not found in the xref sections');
}

// --- writing the DSS ---------------------------------------------------------------------------------------------

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * `pdf` plus one incremental update holding `content` in a DSS. Earlier bytes are untouched (the signatures stay
 * valid); the catalog object is written again with /DSS, everything else it had kept as it was.
 */
export function appendDss(pdf: Buffer, content: DssContent): Buffer {
  const text = pdf.toString('latin1');
  const reader = ObjectReader.over(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length));
  const revision = readRevision(pdf, text, reader);
  if (revision.catalog.has(PDFName.of('DSS'))) throw new LtvError('the document already has a DSS');
  const parts: Buffer[] = [];
  let position = pdf.length;
  const offsets = new Map<number, number>();
  const push = (bytes: Buffer | string) => {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    parts.push(buffer);
    position += buffer.length;
  };
  let next = revision.size;
  const stream = (data: Buffer): string => {
    const n = next++;
    offsets.set(n, position);
    push(`${n} 0 obj\n<< /Length ${data.length} >>\nstream\n`);
    push(data);
    push('\nendstream\nendobj\n');
    return `${n} 0 R`;
  };
  push('\n');
  const unique = (list: Buffer[]) => list.filter((item, i) => list.findIndex((other) => other.equals(item)) === i);
  const arrays: string[] = [];
  const certs = unique(content.certificates).map(stream);
  const ocsps = unique(content.ocspResponses).map(stream);
  const crls = unique(content.crls).map(stream);
  if (certs.length > 0) arrays.push(`/Certs [${certs.join(' ')}]`);
  if (ocsps.length > 0) arrays.push(`/OCSPs [${ocsps.join(' ')}]`);
  if (crls.length > 0) arrays.push(`/CRLs [${crls.join(' ')}]`);
  const dssNumber = next++;
  offsets.set(dssNumber, position);
  push(`${dssNumber} 0 obj\n<< /Type /DSS ${arrays.join(' ')} >>\nendobj\n`);
  const catalog = revision.catalog.clone();
  catalog.set(PDFName.of('DSS'), PDFRef.of(dssNumber));
  const root = revision.rootRef;
  const catalogOffset = position;
  push(`${root.objectNumber} ${root.generationNumber} obj\n${catalog.toString()}\nendobj\n`);
  const xrefOffset = position;
  const entry = (offset: number, generation = 0) => `${pad(offset, 10)} ${pad(generation, 5)} n \n`;
  let xref = `xref\n0 1\n0000000000 65535 f \n${root.objectNumber} 1\n${entry(catalogOffset, root.generationNumber)}${revision.size} ${next - revision.size}\n`;
  for (let n = revision.size; n < next; n++) xref += entry(offsets.get(n)!);
  const info = revision.trailer.get(PDFName.of('Info'));
  const id = revision.trailer.get(PDFName.of('ID'));
  const trailer = `<< /Size ${next} /Root ${root.toString()}${info ? ` /Info ${info.toString()}` : ''}${id ? ` /ID ${id.toString()}` : ''} /Prev ${revision.startxref} >>`;
  push(`${xref}trailer\n${trailer}\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.concat([pdf, ...parts]);
}

// --- reading it back (the verifier) --------------------------------------------------------------------------

export type DssIncrement = { ok: true; dss: DssContent } | { ok: false; problem: string };

const TRAILER_KEYS = new Set(['/Size', '/Root', '/Prev', '/Info', '/ID']);
const DSS_KEYS = new Set(['/Type', '/Certs', '/OCSPs', '/CRLs', '/VRI']);
const DSS_ARRAYS = { Certs: 'certificates', OCSPs: 'ocspResponses', CRLs: 'crls' } as const;

/**
 * The bytes after `revisionLength` (the last signature's revision): one incremental update that only adds a DSS,
 * or a problem. Only adds: the catalog is the signed revision's catalog plus /DSS, every other object is new
 * (numbered from the signed revision's /Size, so nothing the signatures cover is replaced, and no old dangling
 * reference can pick one up), the xref section lists exactly those objects at their offsets, and the trailer keeps
 * /Root and /Info and chains to the signed revision. Bounded: at most MAX_DSS_OBJECTS objects, streams at most
 * MAX_CRL_BYTES once decoded. Any surprise is a problem, never an exception.
 */
export function readDssIncrement(pdf: Buffer, revisionLength: number): DssIncrement {
  try {
    return { ok: true, dss: readDssIncrementOrThrow(pdf, revisionLength) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

function readDssIncrementOrThrow(pdf: Buffer, revisionLength: number): DssContent {
  const text = pdf.toString('latin1');
  const reader = ObjectReader.over(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length));
  const signed = readRevision(pdf.subarray(0, revisionLength), text.slice(0, revisionLength), reader);

  // The update's layout: objects one after the other, one xref section, its trailer, startxref, %%EOF.
  const objects = new Map<number, IndirectObject>();
  let at = skipSpace(text, revisionLength);
  while (!text.startsWith('xref', at)) {
    if (objects.size >= MAX_DSS_OBJECTS) throw new LtvError('too many objects after the last signature');
    const object = readObjectAt(text, reader, at);
    if (objects.has(object.number)) throw new LtvError(`object ${object.number} defined twice after the last signature`);
    objects.set(object.number, object);
    at = skipSpace(text, object.end);
  }
  const section = readXrefSection(text, reader, at, MAX_DSS_OBJECTS + 1);
  const end = /^[ \t\r\n]*startxref[ \t\r\n]+(\d{1,15})[ \t\r\n]+%%EOF[ \t\r\n]*$/.exec(text.slice(section.end));
  if (!end || Number(end[1]) !== at) throw new LtvError('the update after the last signature does not end with its own startxref and %%EOF');
  if (section.freed.some((n) => n !== 0)) throw new LtvError('the update after the last signature frees objects');
  if (section.entries.size !== objects.size) throw new LtvError('the xref after the last signature does not list exactly its objects');
  for (const [number, entry] of section.entries) {
    const object = objects.get(number);
    if (!object || object.offset !== entry.offset || object.generation !== entry.generation) throw new LtvError(`xref entry of object ${number} points elsewhere`);
  }
  const trailer = section.trailer;
  for (const key of trailer.keys()) if (!TRAILER_KEYS.has(key.asString())) throw new LtvError(`the update's trailer adds ${key.asString()}`);
  const same = (a: PDFObject | undefined, b: PDFObject | undefined) => (a?.toString() ?? '') === (b?.toString() ?? '');
  if (!same(trailer.get(PDFName.of('Root')), signed.rootRef)) throw new LtvError('the update changes /Root');
  if (!same(trailer.get(PDFName.of('Info')), signed.trailer.get(PDFName.of('Info')))) throw new LtvError('the update changes /Info');
  if (numberOf(trailer, 'Prev') !== signed.startxref) throw new LtvError('the update is not chained to the signed revision (/Prev)');

  // The catalog again, with /DSS and nothing else changed; every other object new.
  const catalogObject = objects.get(signed.rootRef.objectNumber);
  if (!catalogObject || catalogObject.generation !== signed.rootRef.generationNumber || !(catalogObject.value instanceof PDFDict)) {
    throw new LtvError('the update after the last signature does not rewrite the catalog');
  }
  const catalog = catalogObject.value.clone();
  const dssRef = catalog.get(PDFName.of('DSS'));
  catalog.delete(PDFName.of('DSS'));
  if (catalog.toString() !== signed.catalog.toString()) throw new LtvError('the update changes the catalog beyond adding /DSS');
  for (const number of objects.keys()) {
    if (number !== signed.rootRef.objectNumber && number < signed.size) throw new LtvError(`the update replaces object ${number}`);
  }
  const size = numberOf(trailer, 'Size') ?? 0;
  if ([...objects.keys()].some((n) => n >= size)) throw new LtvError('the update\'s /Size is too small');

  // The DSS and what it holds; every new object must be reachable from it.
  const lookup = (value: PDFObject | undefined): PDFObject | undefined => {
    if (!(value instanceof PDFRef)) return value;
    const object = objects.get(value.objectNumber);
    return object && object.generation === value.generationNumber ? object.value : undefined;
  };
  const dss = lookup(dssRef);
  if (!(dssRef instanceof PDFRef) || !(dss instanceof PDFDict)) throw new LtvError('/DSS is not a new dictionary');
  for (const key of dss.keys()) if (!DSS_KEYS.has(key.asString())) throw new LtvError(`the DSS holds ${key.asString()}`);
  const reached = new Set<number>([signed.rootRef.objectNumber]);
  const visit = (value: PDFObject | undefined, depth: number): void => {
    if (depth > 8 || value === undefined) return;
    if (value instanceof PDFRef) {
      if (reached.has(value.objectNumber) || !objects.has(value.objectNumber)) return;
      reached.add(value.objectNumber);
      visit(lookup(value), depth + 1);
    } else if (value instanceof PDFArray) for (const item of value.asArray()) visit(item, depth + 1);
    else if (value instanceof PDFDict) for (const [, item] of value.entries()) visit(item, depth + 1);
    else if (value instanceof PDFRawStream) visit(value.dict, depth + 1);
  };
  visit(dssRef, 0);
  if (reached.size !== objects.size) throw new LtvError('the update after the last signature adds objects outside the DSS');

  const content: DssContent = { certificates: [], ocspResponses: [], crls: [] };
  for (const [key, field] of Object.entries(DSS_ARRAYS)) {
    const array = lookup(dss.get(PDFName.of(key)));
    if (array === undefined) continue;
    if (!(array instanceof PDFArray)) throw new LtvError(`DSS /${key} is not an array`);
    for (const item of array.asArray().slice(0, MAX_DSS_ENTRIES)) {
      const stream = lookup(item);
      if (stream instanceof PDFRawStream) content[field].push(streamBytes(stream));
    }
  }
  return content;
}

function streamBytes(stream: PDFRawStream): Buffer {
  const raw = Buffer.from(stream.contents);
  const filter = stream.dict.get(PDFName.of('Filter'));
  const name = filter instanceof PDFArray && filter.size() === 1 ? filter.get(0) : filter;
  if (name === undefined) return raw.subarray(0, MAX_CRL_BYTES);
  if (name instanceof PDFName && name.asString() === '/FlateDecode') return inflateSync(raw, { maxOutputLength: MAX_CRL_BYTES });
  throw new LtvError(`DSS stream with an unsupported filter ${name.toString()}`);
}

// --- gathering the revocation data at signing time ------------------------------------------------------------

/** How the validation data is fetched: over HTTP in production, in-process for the demo CA's own CRL. */
export interface RevocationFetcher {
  ocsp(url: string, request: Buffer): Promise<Buffer>;
  crl(url: string): Promise<Buffer>;
}

export interface CertificateRevocation {
  certificate: X509Certificate;
  evidence: RevocationEvidence;
}

export interface CollectedValidationData {
  /** What goes into the DSS; empty arrays when no certificate names a responder or a CRL. */
  dss: DssContent;
  /** One entry per vouched-for certificate that names a responder or CRL, with what it said. */
  checked: CertificateRevocation[];
}

/** The certificates of a CMS SignedData (DER): the signer's and the chain it embeds. */
export function cmsCertificates(cms: Buffer): X509Certificate[] {
  const { asn1 } = forge;
  const root = fromDerNoBitStrings(cms);
  const signedData = ((root.value as forge.asn1.Asn1[])[1]?.value as forge.asn1.Asn1[] | undefined)?.[0];
  const set = (signedData?.value as forge.asn1.Asn1[] | undefined)?.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  return ((set?.value as forge.asn1.Asn1[] | undefined) ?? []).map((c) => new X509Certificate(Buffer.from(asn1.toDer(c).getBytes(), 'binary')));
}

/** True when some certificate in one of the CMS names an OCSP responder or a CRL: only then is a DSS worth adding. */
export function namesRevocationSources(cmsList: Buffer[]): boolean {
  return cmsList.some((cms) => cmsCertificates(cms).some((c) => {
    const p = revocationPointers(c);
    return p.ocspUrls.length + p.crlUrls.length > 0;
  }));
}

/** Revocation sources tried for one certificate (OCSP first, then CRLs): ours name one; a national CA two or three. */
export const MAX_SOURCES_PER_CERTIFICATE = 3;
/**
 * Requests one document may cause in all. Ours: 2-3 signers with a one-level chain, one answer each; a foreign
 * chain with an intermediate CA doubles that. Beyond it the document waits (REVOCATION_UNAVAILABLE), it does not
 * go on fetching: each request may take REVOCATION_TIMEOUT_MS.
 */
export const MAX_FETCHES_PER_DOCUMENT = 12;

/** Past MAX_FETCHES_PER_DOCUMENT: not one source's failure, nothing more is asked for the document. */
class FetchBudgetSpent extends RevocationError {}

/** Whose URLs are asked, how many, and how fresh an answer must be. */
export interface CollectionPolicy {
  /** The configured trust anchors (and the demo CA): a signer's chain must end at one of them… */
  anchors: X509Certificate[];
  /** …or the signer's certificate is one registered for a signer, its registered chain after it ([certificate, ...chain]). */
  registered: X509Certificate[][];
  /** The moment the answers must be fresh for (normally now). */
  now: Date;
  /** REVOCATION_MAX_AGE_HOURS: oldest thisUpdate of an answer without nextUpdate (assertFresh). */
  maxAgeMs: number;
  maxSourcesPerCertificate?: number;
  maxFetches?: number;
}

/** The certificate whose key made the CMS's (first) SignerInfo: matched by serial number, else the first embedded one. */
export function signerCertificateOf(cms: Buffer, pool = cmsCertificates(cms)): X509Certificate | undefined {
  const { asn1 } = forge;
  const kids = (n: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] => (n && Array.isArray(n.value) ? (n.value as forge.asn1.Asn1[]) : []);
  const signedData = kids(kids(fromDerNoBitStrings(cms))[1])[0];
  const signerInfo = kids(kids(signedData).at(-1))[0];
  const sid = kids(signerInfo)[1];
  const serialNode = sid?.tagClass === asn1.Class.UNIVERSAL ? kids(sid)[1] : undefined;
  const serial = typeof serialNode?.value === 'string' ? Buffer.from(serialNode.value, 'binary').toString('hex').toUpperCase().replace(/^(00)+(?=.)/, '') : '';
  return pool.find((c) => c.serialNumber.toUpperCase().replace(/^(00)+(?=.)/, '') === serial) ?? pool[0];
}

const issues = (issuer: X509Certificate, certificate: X509Certificate) =>
  issuer.fingerprint256 !== certificate.fingerprint256 && certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);

/**
 * The signer's certificate and the CAs above it whose revocation sources may be asked, each with its issuer; empty
 * when nothing vouches for them. A chain that reaches a trust anchor (each link's signature verified) vouches for
 * every certificate on it; otherwise only certificates registered for this signer count (an admin put them there).
 * Everything else a CMS embeds — certificates anyone can make, naming any URL — is never looked at.
 */
function vouchedChain(cms: Buffer, policy: CollectionPolicy): Array<{ certificate: X509Certificate; issuer: X509Certificate }> {
  const pool = cmsCertificates(cms);
  const signer = signerCertificateOf(cms, pool);
  if (!signer) return [];
  const registered = policy.registered.find((chain) => chain[0]?.fingerprint256 === signer.fingerprint256) ?? [];
  const links: Array<{ certificate: X509Certificate; issuer: X509Certificate }> = [];
  let current = signer;
  for (let depth = 0; depth < 8; depth++) {
    const anchor = policy.anchors.find((a) => issues(a, current));
    if (anchor) return [...links, { certificate: current, issuer: anchor }];
    const issuer = registered.find((c) => issues(c, current)) ?? pool.find((c) => issues(c, current));
    if (!issuer) break;
    links.push({ certificate: current, issuer });
    current = issuer;
  }
  const vouched = new Set(registered.map((c) => c.fingerprint256));
  return links.filter((link) => vouched.has(link.certificate.fingerprint256));
}

/**
 * For each signature (CMS, DER), the signer's certificate and the CAs above it that a trusted chain or a
 * registration vouches for (vouchedChain), when they name an OCSP responder or a CRL: its OCSP response (tried
 * first: one small signed answer about this certificate) or else its CRL — at most MAX_SOURCES_PER_CERTIFICATE
 * sources each and MAX_FETCHES_PER_DOCUMENT requests in all — each checked (revocation.ts) and fresh (assertFresh:
 * a stale answer counts as none). Throws RevocationError when a certificate's sources all fail: the caller decides
 * whether that blocks the document. A revoked status is returned, not thrown: the caller refuses.
 */
export async function collectValidationData(cmsList: Buffer[], fetcher: RevocationFetcher, policy: CollectionPolicy): Promise<CollectedValidationData> {
  const dss: DssContent = { certificates: [], ocspResponses: [], crls: [] };
  const checked: CertificateRevocation[] = [];
  const done = new Set<string>();
  const crlCache = new Map<string, Buffer>();
  const perCertificate = policy.maxSourcesPerCertificate ?? MAX_SOURCES_PER_CERTIFICATE;
  let budget = policy.maxFetches ?? MAX_FETCHES_PER_DOCUMENT;
  const spend = (url: string) => {
    if (budget <= 0) throw new FetchBudgetSpent(`more than ${policy.maxFetches ?? MAX_FETCHES_PER_DOCUMENT} revocation requests for one document (not asked: ${url})`);
    budget--;
  };
  for (const cms of cmsList) {
    const chain = vouchedChain(cms, policy);
    for (const { certificate, issuer } of chain) {
      dss.certificates.push(certificate.raw, issuer.raw);
      if (done.has(certificate.fingerprint256)) continue;
      done.add(certificate.fingerprint256);
      const pointers = revocationPointers(certificate);
      const ocspUrls = pointers.ocspUrls.slice(0, perCertificate);
      const crlUrls = pointers.crlUrls.slice(0, perCertificate - ocspUrls.length);
      if (ocspUrls.length + crlUrls.length === 0) continue;
      const failures: string[] = [];
      let found = false;
      for (const url of ocspUrls) {
        try {
          const nonce = randomBytes(16);
          spend(url);
          const response = await fetcher.ocsp(url, ocspRequest(certificate, issuer, nonce));
          const evidence = checkOcspResponse(response, certificate, issuer, nonce);
          if (evidence.status === 'unknown') throw new RevocationError(`${url} does not know the certificate`);
          assertFresh(evidence, policy.now, policy.maxAgeMs);
          dss.ocspResponses.push(response);
          dss.certificates.push(...evidence.responderCertificates.map((c) => c.raw));
          checked.push({ certificate, evidence });
          found = true;
          break;
        } catch (error) {
          if (error instanceof FetchBudgetSpent) throw error;
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      for (const url of found ? [] : crlUrls) {
        try {
          let crl = crlCache.get(url);
          if (!crl) {
            spend(url);
            crl = await fetcher.crl(url);
            crlCache.set(url, crl);
          }
          const evidence = checkCrl(crl, certificate, issuer);
          assertFresh(evidence, policy.now, policy.maxAgeMs);
          if (!dss.crls.some((c) => c.equals(crl))) dss.crls.push(crl);
          checked.push({ certificate, evidence });
          found = true;
          break;
        } catch (error) {
          if (error instanceof FetchBudgetSpent) throw error;
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      if (!found) throw new RevocationError(`no revocation data for "${certificate.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? certificate.serialNumber}": ${failures.join('; ')}`);
    }
  }
  return { dss, checked };
}
