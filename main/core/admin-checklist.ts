/**
 * What to ask your Anaplan administrator, per sign-in method: for someone who has no workspace
 * yet and must ask a Tenant Administrator (or a Tenant security administrator) for each piece the
 * job needs. Every item is a fact from ../shared/anaplan-facts.md (§3, §4, §7).
 */

export type ChecklistMethod = 'basic' | 'certificate' | 'oauth';

export interface ChecklistItem {
  /** What to ask for, as a request. */
  ask: string;
  /** Why the job needs it, and what goes wrong without it. */
  why: string;
}

const METHOD_TITLE: Record<ChecklistMethod, string> = {
  basic: 'Basic authentication (an integration user with a password)',
  certificate: 'CA certificate authentication',
  oauth: 'OAuth 2.0 device grant',
};

const exceptionUser: ChecklistItem = {
  ask: 'An integration user that is an **SSO exception user**: in Administration › Users, untick "Single Sign-On" for that user and give it an Anaplan password. It need not be a Tenant Administrator; a user of its own for the integration is best.',
  why: 'A user who signs in through SSO cannot sign in with a password, and the device grant is disabled for SSO users.',
};

const passwordPolicy: ChecklistItem = {
  ask: 'The **password policy** for exception users: does the password expire, every 30, 60 or 90 days? Who may set a new one, and who is told before it expires?',
  why: 'When the exception user\u2019s password expires, the job stops signing in until a new one is set. The assistant watches the date (`anaplan-setup status`).',
};

const workspaceAccess: ChecklistItem = {
  ask: '**Workspace access**: the integration user added to the workspace and model the job works in, with a role that may run its imports, exports and processes. Ask for the workspace and model names (the assistant lists their IDs after the first login).',
  why: 'A user who cannot see the workspace signs in but finds nothing to run.',
};

const ipAllowlist: ChecklistItem = {
  ask: 'The **tenant IP allowlist** (a Tenant security administrator sets it, IPv4 only): if the tenant limits sign-ins to known addresses, add the integration server\u2019s outbound IPv4 address (on the server: `curl -4 https://ifconfig.me`, or ask the network team).',
  why: 'Sign-ins from an address not on the list are refused, however right the credentials are.',
};

const certificateItems: ChecklistItem[] = [
  {
    ask: 'Which **certificate authority** to buy from: an S/MIME (client) certificate from a public CA whose root is on Anaplan\u2019s supported list (Sectigo suggested; GlobalSign, QuoVadis and DigiCert evaluated). Order a **Multipurpose** S/MIME profile (DigiCert orders default to Strict, without clientAuth). Not an SSL/TLS server certificate, not self-signed, not a private root.',
    why: 'Anaplan refuses other certificates; the assistant\u2019s certificate request (CSR) is made for the CA you name.',
  },
  {
    ask: 'A Tenant Administrator **registers the leaf certificate**: the file `certificate.pem` the assistant writes (one PEM block, the certificate alone, not the chain) under Administration › Security › Certificates, for the integration user whose email it carries.',
    why: 'Until it is registered the sign-in is refused. Uploading another block of the chain gives the misleading error "email should not be blank [null]".',
  },
];

const oauthItems: ChecklistItem[] = [
  {
    ask: 'A **Device grant OAuth client** (a Tenant security administrator: Administration › Security › OAuth Clients › Enable OAuth › New, type "Device grant"; a callback URL is required but unused). Ask for its **client ID**, whether its **refresh tokens rotate**, and their **lifetime** (default 43,000 s, about 12 hours, for rotating tokens).',
    why: 'The job signs in with that client\u2019s refresh token. Rotating tokens must be saved on every run (the job passes --rotatable) and expire if no job runs within their lifetime.',
  },
];

export function adminChecklist(method: ChecklistMethod): { title: string; items: ChecklistItem[] } {
  const items =
    method === 'basic'
      ? [exceptionUser, passwordPolicy, workspaceAccess, ipAllowlist]
      : method === 'certificate'
        ? [...certificateItems, workspaceAccess, ipAllowlist]
        : [exceptionUser, ...oauthItems, passwordPolicy, workspaceAccess, ipAllowlist];
  return { title: METHOD_TITLE[method], items };
}

/** The checklist as Markdown, to send to the administrator as it is. */
export function adminChecklistMarkdown(method: ChecklistMethod): string {
  const { title, items } = adminChecklist(method);
  return [
    `# What to ask your Anaplan administrator: ${title}`,
    '',
    'For an Anaplan Connect job that runs unattended on an integration server. Tick each item when you have it.',
    '',
    ...items.flatMap((item) => [`- [ ] ${item.ask}`, `  *Why:* ${item.why}`]),
    '',
  ].join('\n');
}
