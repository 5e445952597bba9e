import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { HubConfig } from '../runtime/config.js';

/**
 * Headers on every answer: the board runs only its own bundled script and styles (no inline code, so
 * an injected `<script>` or `style=` does nothing), may not be framed, and leaks no URL to other sites.
 * HSTS only behind https: on plain http a browser would ignore it, and on a LAN name it would pin a mistake.
 */
export function securityHeaders(config: Pick<HubConfig, 'publicUrl'>): MiddlewareHandler {
  const https = config.publicUrl.startsWith('https:');
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    strictTransportSecurity: https ? 'max-age=31536000; includeSubDomains' : false,
    crossOriginEmbedderPolicy: false,
  });
}

/** Cross-origin browser calls are refused (no CORS headers at all) unless CORS_ORIGINS names the origin. */
export function corsPolicy(config: Pick<HubConfig, 'CORS_ORIGINS'>): MiddlewareHandler {
  if (config.CORS_ORIGINS.length === 0) return async (_c, next) => next();
  return cors({
    origin: config.CORS_ORIGINS,
    allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
}
