import type { KeyObject, X509Certificate } from 'node:crypto';
import { sameName } from './distinguished-name.js';
import { certificateFacts } from './x509-extensions.js';

/**
 * Certificate chains: who issued whom (names and signature both), and the order Anaplan,
 * Java and Boomi expect: leaf, intermediates, root. CAs send chains in any order, with the
 * root or without, sometimes with extra certificates that belong to other chains.
 */

/**
 * True when `parent` issued `child`: child's issuer name is parent's subject name and parent's
 * key verifies child's signature. Not X509Certificate.checkIssued, which also wants the
 * keyCertSign usage: a self-signed leaf has none, yet it did sign itself.
 */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    const childFacts = certificateFacts(child);
    const parentFacts = certificateFacts(parent);
    const namesMatch = childFacts.issuerDer.equals(parentFacts.subjectDer) || sameName(childFacts.issuer, parentFacts.subject);
    return namesMatch && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

export function isSelfSigned(certificate: X509Certificate): boolean {
  return issuedBy(certificate, certificate);
}

/** Whether the certificate holds the public key of `privateKey`. */
export function certificateMatchesKey(certificate: X509Certificate, privateKey: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(privateKey);
  } catch {
    return false;
  }
}

export interface OrderedChain {
  /** Intermediates then root, each the issuer of the one before (the leaf is not included). */
  chain: X509Certificate[];
  /** Certificates of the bundle that are not on the leaf's path (other versions of a CA on it excepted). */
  unrelated: X509Certificate[];
}

export function orderChain(leaf: X509Certificate, certificates: readonly X509Certificate[]): OrderedChain {
  const remaining = certificates.filter((certificate) => !certificate.raw.equals(leaf.raw));
  const chain: X509Certificate[] = [];
  let current = leaf;
  while (!isSelfSigned(current)) {
    const issuer = pickIssuer(current, remaining);
    if (!issuer) break;
    chain.push(issuer);
    remaining.splice(remaining.indexOf(issuer), 1);
    current = issuer;
  }
  // Another version of a CA on the path (the self-signed root next to its cross-signed copy) is not unrelated.
  return { chain, unrelated: remaining.filter((certificate) => !chain.some((onPath) => sameCa(certificate, onPath))) };
}

/** Same subject and same key: two certificates of one CA (a root and its cross-signed copy). */
function sameCa(a: X509Certificate, b: X509Certificate): boolean {
  try {
    return certificateFacts(a).subjectDer.equals(certificateFacts(b).subjectDer) && a.publicKey.equals(b.publicKey);
  } catch {
    return false;
  }
}

/**
 * Among the candidates that issued `child`, prefer one whose own issuer is also present: with a
 * cross-signed root (Sectigo sends "R46 by USERTrust" next to the self-signed R46) the longer
 * path reaches the older root that more systems trust.
 */
function pickIssuer(child: X509Certificate, candidates: readonly X509Certificate[]): X509Certificate | undefined {
  const issuers = candidates.filter((candidate) => issuedBy(child, candidate));
  const extendsFurther = issuers.find(
    (issuer) => !isSelfSigned(issuer) && candidates.some((other) => other !== issuer && other !== child && issuedBy(issuer, other)),
  );
  return extendsFurther ?? issuers[0];
}
