import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

/** A person at the identity provider: what its claims say about them. */
export interface ProviderAccount {
  email: string;
  email_verified: boolean;
  name: string;
  groups: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the relying party's redirect URI (known once the hub listens). */
  allow(redirectUri: string): void;
  stop(): Promise<void>;
}

/**
 * A real, certified OpenID provider (the `oidc-provider` package) on loopback, with its development login
 * and consent pages: any login name signs in as the account of that name.
 */
export async function startOidcProvider(
  port: number,
  accounts: Record<string, ProviderAccount>,
): Promise<TestOidcProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'ops-hub';
  const clientSecret = 'a-client-secret-for-the-test-provider';
  const redirectUris: string[] = [];
  let provider: Provider | undefined;
  const build = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
      scopes: ['openid', 'email', 'profile', 'groups'],
      pkce: { required: () => true },
      cookies: { keys: ['test-provider-cookie-key'] },
      findAccount: (_ctx, id) => {
        const account = accounts[id];
        if (!account) return undefined;
        return { accountId: id, claims: () => ({ sub: id, ...account }) };
      },
    });
  const server: Server = createServer((req, res) => provider!.callback()(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    allow(redirectUri) {
      redirectUris.push(redirectUri);
      provider = build();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
