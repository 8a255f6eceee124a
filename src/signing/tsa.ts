// RFC 3161 client: asks a time-stamping authority for a token over a signature value (PAdES B-T puts it in the
// SignerInfo's unsigned attributes). One POST per signature; a TSA that fails fails the signing (and the job
// retries) rather than issuing a document that silently lacks the timestamp it was configured to carry.
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { fromDer, OID, toDer } from './cms.js';
import { SigningError, type Timestamper } from './sign-pdf.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export function timestampRequest(signatureValue: Buffer): Buffer {
  const u = asn1.Class.UNIVERSAL;
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] ?? 0) & 0x7f;
  return toDer(asn1.create(u, asn1.Type.SEQUENCE, true, [
    asn1.create(u, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    asn1.create(u, asn1.Type.SEQUENCE, true, [
      asn1.create(u, asn1.Type.SEQUENCE, true, [asn1.create(u, asn1.Type.OID, false, asn1.oidToDer(OID.sha256).getBytes())]),
      asn1.create(u, asn1.Type.OCTETSTRING, false, createHash('sha256').update(signatureValue).digest().toString('binary')),
    ]),
    asn1.create(u, asn1.Type.INTEGER, false, nonce.toString('binary')),
    // certReq: the TSA's certificate goes into the token, so verifiers need nothing else.
    asn1.create(u, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)),
  ]));
}

/** The TimeStampToken (DER ContentInfo) out of a TimeStampResp; throws unless the status is granted (0 or 1). */
export function timestampTokenFromResponse(response: Buffer): Buffer {
  const parts = fromDer(response).value as Asn1[];
  const status = ((parts[0]?.value as Asn1[] | undefined)?.[0]?.value ?? '') as string;
  const code = status.length > 0 ? status.charCodeAt(status.length - 1) : -1;
  if ((code !== 0 && code !== 1) || !parts[1]) throw new SigningError(`TSA refused the request (status ${code})`);
  return toDer(parts[1]);
}

export function rfc3161Timestamper(url: string, timeoutMs = 10_000): Timestamper {
  return async (signatureValue) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: timestampRequest(signatureValue),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      throw new SigningError(`TSA ${url} unreachable`, { cause: error });
    });
    if (!response.ok) throw new SigningError(`TSA ${url} answered HTTP ${response.status}`);
    return timestampTokenFromResponse(Buffer.from(await response.arrayBuffer()));
  };
}
