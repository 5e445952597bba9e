import { ApplicationFailure } from '@temporalio/activity';
import type { CrmAdapter } from './crm.js';

const TIMEOUT_MS = 10_000;

/**
 * An external CRM over HTTP: POST {url}/accounts with the application id as Idempotency-Key, so a retry
 * after a lost answer gets the account already booked. 4xx answers are final; 5xx, 408, 429 and network
 * failures are retried by Temporal.
 */
export function createHttpCrm(options: { url: string; apiKey?: string }): CrmAdapter {
  const endpoint = new URL('accounts', options.url.endsWith('/') ? options.url : `${options.url}/`);
  return {
    name: 'http',
    async createAccount(request) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': request.application_id,
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok) {
        const message = `CRM answered ${response.status}: ${text.slice(0, 200)}`;
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        throw retryable ? new Error(message) : ApplicationFailure.nonRetryable(message, 'CRM_REJECTED');
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`CRM answered ${response.status} without JSON`);
      }
      const accountNumber = (body as { account_number?: unknown }).account_number;
      if (typeof accountNumber !== 'string' || accountNumber === '')
        throw new Error('CRM answer has no account_number');
      return { account_number: accountNumber };
    },
  };
}
