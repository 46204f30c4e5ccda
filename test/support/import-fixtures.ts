// Shared by the certificate import and keystore tests: one test CA for a test file, with a work
// folder, a request made there and the multipurpose leaf the CA issued for it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppError } from '../../main/errors.js';
import type { ImportInput } from '../../main/pki/certificate-import.js';
import { type IssuedCertificate, type ReplyFiles, TestCa, type TestRequest, makeRequest } from './test-ca.js';

export interface TestCaSetup {
  readonly ca: TestCa;
  /** A temporary folder for the file, removed after its tests. */
  readonly work: string;
  /** A request made in <work>/request. */
  readonly request: TestRequest;
  /** The multipurpose leaf the CA issued for the request. */
  readonly issued: IssuedCertificate;
  /** The CA's replies for issued, made when first read. */
  readonly replies: ReplyFiles;
}

/**
 * Registers beforeAll/afterAll: creates the test CA, a work folder (named from prefix), the request
 * and its leaf, then runs prepare (for what else the file needs); removes the CA and the folder
 * after. Returns the setup, whose fields can be read once beforeAll has run.
 */
export function useTestCa(prefix: string, prepare?: (setup: TestCaSetup) => void | Promise<void>): TestCaSetup {
  let ca: TestCa | undefined;
  let work: string | undefined;
  let request: TestRequest | undefined;
  let issued: IssuedCertificate | undefined;
  let replies: ReplyFiles | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test CA is not set up yet (read it in a test or a hook)');
    return value;
  };
  const setup: TestCaSetup = {
    get ca() {
      return ready(ca);
    },
    get work() {
      return ready(work);
    },
    get request() {
      return ready(request);
    },
    get issued() {
      return ready(issued);
    },
    get replies() {
      return (replies ??= ready(ca).replies(ready(issued), ready(request)));
    },
  };
  beforeAll(async () => {
    ca = TestCa.create();
    work = await mkdtemp(join(tmpdir(), prefix));
    request = await makeRequest(join(work, 'request'));
    issued = ca.issue(request, 'multipurpose');
    await prepare?.(setup);
  });
  afterAll(async () => {
    ca?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });
  return setup;
}

/** The request's key, as importCertificate takes it. */
export function keyOf(request: TestRequest): ImportInput['key'] {
  return { path: request.keyPath, passphrase: request.passphrase };
}

/** The AppError action throws (a test fails if it throws nothing). */
export function thrownAppError(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected an AppError');
}
