// A real OpenID Connect provider (npm oidc-provider) on loopback, for the SSO tests.
//
//   node tests/oidc/provider.mjs <port> <config.json>
//
// config.json: {"clients": [...oidc-provider client metadata...],
//               "accounts": {"<id>": {"claims": {...}, "acr": "...", "amr": [...]}}}
// The login step is automatic: the account is the authorization request's
// login_hint, and consent is granted for what the client asked. Prints "ready".
import http from 'node:http';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  scopes: ['openid', 'profile', 'brede_toegang'],
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'preferred_username'],
    brede_toegang: ['roles', 'team'],
  },
  acrValues: ['urn:brede-toegang:mfa', 'urn:brede-toegang:pwd'],
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['loopback-test-provider-only'] },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
});

async function interaction(req, res) {
  const { prompt, params, session } = await provider.interactionDetails(req, res);
  if (prompt.name === 'login') {
    const account = config.accounts[params.login_hint];
    if (!account) {
      res.writeHead(400).end('unknown login_hint');
      return;
    }
    const login = { accountId: params.login_hint, acr: account.acr, amr: account.amr };
    await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
http
  .createServer((req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(req, res).catch((error) => res.writeHead(500).end(String(error)));
      return;
    }
    callback(req, res);
  })
  .listen(Number(port), '127.0.0.1', () => console.log('ready'));
