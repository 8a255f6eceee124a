// PKCS#12 (.p12/.pfx) files as officials receive them from their CA: parsed once (forge is slow, ~100 ms) into a
// node:crypto key and PEM certificates; the leaf is the certificate that matches the key, the rest is the chain.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface Pkcs12Contents {
  key: KeyObject;
  privateKeyPem: string;
  certificatePem: string;
  chainPem: string[];
}

const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';

export function parsePkcs12(der: Buffer, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), password);
  } catch (error) {
    throw new Error('Không mở được tệp PKCS#12 (sai mật khẩu hoặc tệp hỏng)', { cause: error });
  }
  const bags = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const keyBags = [...bags(SHROUDED_KEY_BAG), ...bags(KEY_BAG)];
  const forgeKey = keyBags.find((b) => b.key)?.key;
  if (!forgeKey) throw new Error('Tệp PKCS#12 không chứa khóa bí mật');
  const key = createPrivateKey(forge.pki.privateKeyToPem(forgeKey));
  const certificates = bags(CERT_BAG)
    .filter((b) => b.cert)
    .map((b) => forge.pki.certificateToPem(b.cert!));
  const leaf = certificates.find((pem) => new X509Certificate(pem).checkPrivateKey(key));
  if (!leaf) throw new Error('Tệp PKCS#12 không có chứng thư khớp với khóa bí mật');
  return {
    key,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: leaf,
    chainPem: certificates.filter((pem) => pem !== leaf),
  };
}

/** The reverse, for tests, demos and the CLI: a .p12 protected by `password` (3DES, as most tokens' tools accept). */
export function createPkcs12(privateKeyPem: string, certificatePem: string, chainPem: string[], password: string): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(privateKeyPem),
    [certificatePem, ...chainPem].map((pem) => forge.pki.certificateFromPem(pem)),
    password,
    { algorithm: '3des' },
  );
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}
