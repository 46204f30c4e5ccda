import type { KeyObject, X509Certificate } from 'node:crypto';
import { type DistinguishedName, sameName } from './distinguished-name.js';
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

/** Whether `key` verifies the signature on `certificate`. Tests count the calls. */
export type SignatureCheck = (certificate: X509Certificate, key: KeyObject) => boolean;

const verifySignature: SignatureCheck = (certificate, key) => {
  try {
    return certificate.verify(key);
  } catch {
    return false;
  }
};

/**
 * The leaf's path through the bundle. Every signature check goes through one index (IssuerIndex):
 * candidates are looked up by subject name, grouped by public key, and each (certificate, key)
 * verdict is computed once. A signature check is slow (a P-521 one takes milliseconds), and a
 * hostile reply can hold many certificates with the same name and key: work grows with the
 * number of certificates, never with its square.
 */
export function orderChain(leaf: X509Certificate, certificates: readonly X509Certificate[], check: SignatureCheck = verifySignature): OrderedChain {
  const remaining = new Set(certificates.filter((certificate) => !certificate.raw.equals(leaf.raw)));
  const index = new IssuerIndex([...remaining], check);
  const chain: X509Certificate[] = [];
  let current = leaf;
  while (!index.issued(current, current)) {
    const issuer = pickIssuer(current, remaining, index);
    if (!issuer) break;
    chain.push(issuer);
    remaining.delete(issuer);
    current = issuer;
  }
  // Another version of a CA on the path (the self-signed root next to its cross-signed copy) is not unrelated.
  return { chain, unrelated: [...remaining].filter((certificate) => !chain.some((onPath) => index.sameCa(certificate, onPath))) };
}

/**
 * Among the candidates that issued `child`, prefer one whose own issuer is also present: with a
 * cross-signed root (Sectigo sends "R46 by USERTrust" next to the self-signed R46) the longer
 * path reaches the older root that more systems trust.
 */
function pickIssuer(child: X509Certificate, candidates: ReadonlySet<X509Certificate>, index: IssuerIndex): X509Certificate | undefined {
  const issuers = index.issuersOf(child, (candidate) => candidates.has(candidate));
  const extendsFurther = issuers.find((issuer) => !index.issued(issuer, issuer) && index.hasIssuer(issuer, (other) => other !== issuer && other !== child && candidates.has(other)));
  return extendsFurther ?? issuers[0];
}

/** What the index knows of one certificate; null when its names cannot be read. */
interface Entry {
  position: number;
  subjectClass: number;
  issuerClass: number;
  subjectDer: Buffer;
  /** null when node:crypto cannot read the key: such a certificate issued nothing. */
  key: { object: KeyObject; /** The SubjectPublicKeyInfo, base64: certificates with equal keys share one verdict. */ id: string } | null;
}

/**
 * The bundle's certificates by subject name, then by public key, with every signature verdict
 * remembered per (certificate, key). Names that are equal (same DER, or sameName: the same
 * attributes whatever their order, case or spacing) share a class number, so a lookup is a map
 * access; each distinct name is compared with the classes found so far only once.
 */
class IssuerIndex {
  private readonly entries = new Map<X509Certificate, Entry | null>();
  /** subject class → key id → certificates with that subject and key, in bundle order. */
  private readonly bySubject = new Map<number, Map<string, X509Certificate[]>>();
  private readonly classes: Array<{ der: Buffer; name: DistinguishedName }> = [];
  private readonly classOfDer = new Map<string, number>();
  private readonly verdicts = new Map<X509Certificate, Map<string, boolean>>();

  constructor(
    certificates: readonly X509Certificate[],
    private readonly check: SignatureCheck,
  ) {
    for (const certificate of certificates) {
      const entry = this.entry(certificate);
      if (!entry?.key) continue;
      const byKey = this.bySubject.get(entry.subjectClass) ?? new Map<string, X509Certificate[]>();
      this.bySubject.set(entry.subjectClass, byKey);
      const group = byKey.get(entry.key.id) ?? [];
      byKey.set(entry.key.id, group);
      group.push(certificate);
    }
  }

  /** True when `parent` issued `child`: the names chain and parent's key verifies child's signature. */
  issued(child: X509Certificate, parent: X509Certificate): boolean {
    const childEntry = this.entry(child);
    const parentEntry = this.entry(parent);
    if (!childEntry || !parentEntry || childEntry.issuerClass !== parentEntry.subjectClass) return false;
    return this.verdict(child, parentEntry);
  }

  /** The indexed certificates that `accept` allows and that issued `child`, in bundle order. */
  issuersOf(child: X509Certificate, accept: (candidate: X509Certificate) => boolean): X509Certificate[] {
    const found: X509Certificate[] = [];
    this.eachIssuer(child, accept, (issuer) => {
      found.push(issuer);
      return true;
    });
    return found.sort((a, b) => this.position(a) - this.position(b));
  }

  /** Whether any certificate that `accept` allows issued `child`. */
  hasIssuer(child: X509Certificate, accept: (candidate: X509Certificate) => boolean): boolean {
    let found = false;
    this.eachIssuer(child, accept, () => {
      found = true;
      return false;
    });
    return found;
  }

  /**
   * Hands each accepted issuer of `child` to `take` until it returns false. Only the certificates
   * named as child's issuer are looked at; one signature check per distinct key among them, made
   * when the first accepted certificate with that key comes up.
   */
  private eachIssuer(child: X509Certificate, accept: (candidate: X509Certificate) => boolean, take: (issuer: X509Certificate) => boolean): void {
    const childEntry = this.entry(child);
    const byKey = childEntry ? this.bySubject.get(childEntry.issuerClass) : undefined;
    if (!byKey) return;
    for (const group of byKey.values()) {
      let signed: boolean | undefined;
      for (const member of group) {
        if (!accept(member)) continue;
        const memberEntry = this.entry(member);
        if (!memberEntry) continue;
        signed ??= this.verdict(child, memberEntry);
        if (!signed) break; // the same key for the whole group: none of them issued child
        if (!take(member)) return;
      }
    }
  }

  /** Same subject and same key: two certificates of one CA (a root and its cross-signed copy). */
  sameCa(a: X509Certificate, b: X509Certificate): boolean {
    const left = this.entry(a);
    const right = this.entry(b);
    return !!left?.key && !!right?.key && left.subjectDer.equals(right.subjectDer) && left.key.id === right.key.id;
  }

  private position(certificate: X509Certificate): number {
    return this.entries.get(certificate)?.position ?? Number.MAX_SAFE_INTEGER;
  }

  private verdict(child: X509Certificate, parent: Entry): boolean {
    if (!parent.key) return false;
    const known = this.verdicts.get(child) ?? new Map<string, boolean>();
    this.verdicts.set(child, known);
    const remembered = known.get(parent.key.id);
    if (remembered !== undefined) return remembered;
    const verdict = this.check(child, parent.key.object);
    known.set(parent.key.id, verdict);
    return verdict;
  }

  private entry(certificate: X509Certificate): Entry | null {
    const known = this.entries.get(certificate);
    if (known !== undefined) return known;
    let entry: Entry | null;
    try {
      const facts = certificateFacts(certificate);
      entry = {
        position: this.entries.size,
        subjectClass: this.classOf(facts.subjectDer, facts.subject),
        issuerClass: this.classOf(facts.issuerDer, facts.issuer),
        subjectDer: facts.subjectDer,
        key: publicKeyOf(certificate),
      };
    } catch {
      entry = null; // unreadable names: issues nothing and is issued by nothing, as issuedBy says
    }
    this.entries.set(certificate, entry);
    return entry;
  }

  private classOf(der: Buffer, name: DistinguishedName): number {
    const id = der.toString('base64');
    const known = this.classOfDer.get(id);
    if (known !== undefined) return known;
    let found = this.classes.findIndex((other) => other.der.equals(der) || sameName(other.name, name));
    if (found < 0) found = this.classes.push({ der, name }) - 1;
    this.classOfDer.set(id, found);
    return found;
  }
}

function publicKeyOf(certificate: X509Certificate): Entry['key'] {
  try {
    const object = certificate.publicKey;
    return { object, id: object.export({ type: 'spki', format: 'der' }).toString('base64') };
  } catch {
    return null;
  }
}
