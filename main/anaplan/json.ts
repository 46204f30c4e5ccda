import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { HttpResponse } from '../net/http.js';

/** Parses an Anaplan answer against its schema; unknown fields are ignored (anaplan-facts §2). */
export function parseAnswer<T>(response: HttpResponse, schema: z.ZodType<T>, what: string, host: string): T {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    if (/^\s*[{[]/.test(response.text)) {
      // Starts like JSON but does not parse: cut off on the way, or changed by something in between.
      throw new AppError(
        'unexpected_response',
        `${host} sent an incomplete answer to the ${what} (HTTP ${response.status}): it starts like JSON but is not JSON, as if the connection was cut off. Try again; if it keeps happening, a proxy may be changing the answers: check the proxy, or try from another network.`,
      );
    }
    throw new AppError(
      'unexpected_response',
      `${host} answered the ${what} with something that is not JSON (HTTP ${response.status}). A proxy or captive portal may be in the way, or the URL is not an Anaplan service.`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new AppError(
      'unexpected_response',
      `${host} answered the ${what} in a shape the assistant does not know (HTTP ${response.status}). Check that the URL points at Anaplan; if it does, Anaplan may have changed its API.`,
    );
  }
  return parsed.data;
}

export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function hostOf(url: string): string {
  return new URL(url).host;
}
