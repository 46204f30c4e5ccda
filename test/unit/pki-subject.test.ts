import { isAppError } from '../../main/errors.js';
import { CA_PROFILES, type CaProfileId, caProfile, unsupportedCa } from '../../main/pki/ca-profiles.js';
import { checkPassphrase } from '../../main/pki/passphrase.js';
import { type CsrSubject, checkSubject, normalizeSubject, subjectLine } from '../../main/pki/subject.js';
import { ADA } from '../support/fixtures.js';

const sectigo = caProfile('sectigo');

function problemsFor(subject: Partial<CsrSubject>, profileId: CaProfileId = 'sectigo'): Record<string, string> {
  return Object.fromEntries(checkSubject({ ...ADA, ...subject }, caProfile(profileId)).map((problem) => [problem.field, problem.message]));
}

describe('CA profiles', () => {
  it('every profile asks for an S/MIME certificate with both purposes, never a TLS server one', () => {
    expect(CA_PROFILES.map((profile) => profile.id)).toEqual(['sectigo', 'digicert', 'globalsign', 'quovadis', 'other']);
    for (const profile of CA_PROFILES) {
      expect(profile.product).toMatch(/S\/MIME/);
      expect(profile.product).toContain('1.3.6.1.5.5.7.3.2');
      expect(profile.product).toContain('1.3.6.1.5.5.7.3.4');
      expect(profile.product).toMatch(/Multipurpose/);
      expect(profile.product).toMatch(/Not an SSL\/TLS/);
      expect(profile.fields.commonName).toBe('required');
      expect(profile.fields.email).toBe('required');
      expect(profile.emailMaxLength).toBe(40);
      expect(profile.keySizes).toContain(2048);
      expect(profile.keySizes.every((bits) => bits >= 2048)).toBe(true);
      expect(profile.note.length).toBeGreaterThan(40);
    }
  });

  it('refuses an unknown profile id with bad_input', () => {
    let caught: unknown;
    try {
      caProfile('verisign' as CaProfileId);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'bad_input')).toBe(true);
  });

  it('names CAs Anaplan does not list and points to the OAuth device grant', () => {
    // InCommon is no dead end (anaplan-facts §3): it sells client certificates too; never "SSL certificates only".
    const incommon = unsupportedCa('InCommon');
    expect(incommon?.name).toBe('InCommon');
    expect(incommon?.message).toMatch(/issues client \(S\/MIME\) certificates/);
    expect(incommon?.message).toMatch(/subscription includes client certificates/);
    expect(incommon?.message).toMatch(/PKCS#12 .* import that file as it is/);
    expect(incommon?.message).not.toMatch(/SSL certificates only/);
    expect(incommon?.message).toMatch(/OAuth 2\.0 device grant/);
    for (const text of ["Let's Encrypt", 'letsencrypt', 'a self-signed cert', 'our internal CA', 'Private root CA', 'AD CS', 'Active Directory Certificate Services']) {
      const found = unsupportedCa(text);
      expect(found, text).toBeDefined();
      expect(found?.message).toMatch(/OAuth 2\.0 device grant/);
      expect(found?.message).toMatch(/Anaplan's list/);
    }
    for (const text of ['Sectigo', 'DigiCert', 'GlobalSign', 'QuoVadis', 'Comodo']) expect(unsupportedCa(text), text).toBeUndefined();
  });
});

describe('checkSubject', () => {
  it('accepts a complete subject, trimming values and upper-casing the country', () => {
    expect(checkSubject(ADA, sectigo)).toEqual([]);
    expect(checkSubject({ ...ADA, country: ' gb ', commonName: '  Ada Lovelace\n' }, sectigo)).toEqual([]);
    expect(normalizeSubject({ ...ADA, country: 'gb', organizationalUnit: '  ' })).toEqual({ ...ADA, organizationalUnit: undefined, country: 'GB' });
  });

  it('needs the name and the email, and only them, for every profile', () => {
    for (const profile of CA_PROFILES) {
      expect(checkSubject({ commonName: 'Ada Lovelace', email: 'ada@example.com' }, profile)).toEqual([]);
      const fields = checkSubject({ commonName: ' ', email: '' }, profile).map((problem) => problem.field);
      expect(fields).toEqual(['commonName', 'email']);
    }
    expect(problemsFor({ commonName: '' }).commonName).toMatch(/person's name/);
  });

  it('checks the email syntax and Anaplan’s 40-character limit', () => {
    expect(problemsFor({ email: 'ada.example.com' }).email).toMatch(/not an email address/);
    expect(problemsFor({ email: 'ada@localhost' }).email).toMatch(/not an email address/);
    expect(problemsFor({ email: 'ada lovelace@example.com' }).email).toMatch(/not an email address/);
    expect(problemsFor({ email: 'ada$x@example.com' }).email).toMatch(/letters, digits and \. _ % \+ -/);
    expect(problemsFor({ email: 'adà@example.com' }).email).toMatch(/ASCII/);
    const forty = `${'a'.repeat(28)}@example.com`;
    expect(forty).toHaveLength(40);
    expect(problemsFor({ email: forty }).email).toBeUndefined();
    expect(problemsFor({ email: `a${forty}` }).email).toMatch(/41 characters long.*at most 40/);
    expect(problemsFor({ email: 'ada+anaplan@example.co.uk' }).email).toBeUndefined();
  });

  it('wants a two-letter ISO 3166 country code', () => {
    expect(problemsFor({ country: 'GBR' }).country).toMatch(/two-letter ISO 3166 country code.*"GBR"/);
    expect(problemsFor({ country: 'UK' }).country).toMatch(/UK is not an ISO 3166 country code: use GB/);
    expect(problemsFor({ country: 'QQ' }).country).toMatch(/QQ is not an ISO 3166 country code/);
    expect(problemsFor({ country: 'G1' }).country).toMatch(/two-letter/);
    expect(problemsFor({ country: 'de' }).country).toBeUndefined();
  });

  it('keeps to the X.520 upper bounds, counting characters rather than bytes', () => {
    expect(problemsFor({ commonName: 'é'.repeat(64) }).commonName).toBeUndefined();
    expect(problemsFor({ commonName: 'A'.repeat(65) }).commonName).toMatch(/65 characters long.*at most 64/);
    expect(problemsFor({ organization: 'O'.repeat(65) }).organization).toMatch(/at most 64/);
    expect(problemsFor({ organizationalUnit: 'U'.repeat(65) }).organizationalUnit).toMatch(/at most 64/);
    expect(problemsFor({ locality: 'L'.repeat(128) }).locality).toBeUndefined();
    expect(problemsFor({ locality: 'L'.repeat(129) }).locality).toMatch(/at most 128/);
    expect(problemsFor({ state: 'S'.repeat(129) }).state).toMatch(/at most 128/);
  });

  it('refuses control characters inside a value and an email address as the name', () => {
    expect(problemsFor({ commonName: 'Ada\nLovelace' }).commonName).toMatch(/control character/);
    expect(problemsFor({ organization: 'Engines\u0000Ltd' }).organization).toMatch(/control character/);
    expect(problemsFor({ commonName: 'ada@example.com' }).commonName).toMatch(/not an email address/);
  });

  it('does not check fields the CA ignores, and leaves them out of the subject line', () => {
    expect(problemsFor({ country: 'GBR', organization: 'O'.repeat(80) }, 'digicert')).toEqual({});
    expect(subjectLine(ADA, caProfile('digicert'))).toBe('CN=Ada Lovelace, emailAddress=ada@example.com');
    expect(subjectLine(ADA, caProfile('globalsign'))).toBe('C=GB, ST=Greater London, L=London, O=Analytical Engines Ltd, CN=Ada Lovelace, emailAddress=ada@example.com');
  });

  it('writes the subject line in Anaplan’s template order with RFC 2253 escapes', () => {
    expect(subjectLine(ADA, sectigo)).toBe(
      'C=GB, ST=Greater London, L=London, O=Analytical Engines Ltd, OU=Integration, CN=Ada Lovelace, emailAddress=ada@example.com',
    );
    expect(subjectLine({ commonName: '#1 Lovelace, Ada', email: 'ada+x@example.com', organization: 'A+B; "C" <D>' }, sectigo)).toBe(
      'O=A\\+B\\; \\"C\\" \\<D\\>, CN=\\#1 Lovelace\\, Ada, emailAddress=ada\\+x@example.com',
    );
  });
});

describe('checkPassphrase', () => {
  it("refuses ':' with Anaplan Connect's reason", () => {
    const check = checkPassphrase(':');
    expect(check.ok).toBe(false);
    expect(check.problem).toMatch(/must not contain ':'/);
    expect(check.problem).toMatch(/-privatekey FILE:PASSPHRASE/);
    expect(check.problem).toMatch(/last ':'/);
    expect(checkPassphrase('a long passphrase: with a colon').ok).toBe(false);
  });

  it('refuses short passphrases and control characters', () => {
    expect(checkPassphrase('').problem).toMatch(/at least 8 characters/);
    expect(checkPassphrase('1234567').problem).toMatch(/at least 8 characters/);
    expect(checkPassphrase('tab\there-and-more').problem).toMatch(/control characters/);
    expect(checkPassphrase('12345678').ok).toBe(true);
  });

  it('estimates strength from length and variety, and is not fooled by look-alikes', () => {
    expect(checkPassphrase('12345678').strength).toBe('weak');
    expect(checkPassphrase('P@ssw0rd2024!').strength).toBe('weak');
    expect(checkPassphrase('P@ssw0rd2024!').hint).toMatch(/"password"/);
    expect(checkPassphrase('Anaplan2026!').strength).toBe('weak');
    expect(checkPassphrase('aaaaaaaaaaaaaaaa').strength).toBe('weak');
    expect(checkPassphrase('kT9#mQ2vL8xZ').strength).toBe('fair');
    expect(checkPassphrase('kT9#mQ2vL8xZp4Wn').strength).toBe('strong');
    expect(checkPassphrase('correct horse battery staple').strength).toBe('strong');
    expect(checkPassphrase('badminton tulip orbit canyon').strength).toBe('strong');
    expect(checkPassphrase(' leading space and long enough ').hint).toMatch(/space/);
    expect(checkPassphrase('größere Sicherheit bitte').hint).toMatch(/non-ASCII/);
  });
});
