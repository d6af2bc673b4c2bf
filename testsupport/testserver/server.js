// Auth0-style OAuth 2.0 / OpenID Connect authorization server for tokentray's
// tests, built on oidc-provider. It is started by the Go package in this
// folder (testserver.go) and must never be exposed: every client secret is
// public, the test-only endpoints under /test/ mint and approve grants without
// any authentication, and it listens on 127.0.0.1 only.
//
// Two modes (env MODE):
//   - "auth0" (default): Auth0's endpoint paths, "audience" accepted as the
//     RFC 8707 resource, and /authorize rewritten the way Auth0 behaves
//     (offline_access granted without prompt=consent);
//   - "stock": oidc-provider as it comes — its own route names (/auth,
//     /token, /token/revocation, ...), no rewrite, so offline_access is only
//     granted with prompt=consent (OpenID Connect Core §11), and the issuer
//     may have a path (env ISSUER_PATH, e.g. /realms/test, as Keycloak's).
//
// Protocol with the parent process:
//   - env PORT (default 0 = ephemeral), ACCESS_TTL (seconds, default 3600);
//   - once listening, exactly one JSON line on stdout:
//       {"issuer":"http://127.0.0.1:PORT[/PATH]","port":PORT,"endpoints":{...}}
//     Everything else (oidc-provider notices included) goes to stderr, so the
//     parent can treat stdout as a pure control channel;
//   - the server exits when its stdin closes (the parent died or let go) or on
//     SIGTERM/SIGINT, so a killed test binary leaves no orphan behind.
//     TESTSERVER_IGNORE_STDIN=1 turns the stdin watch off for manual runs.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

// --- console discipline -----------------------------------------------------
// oidc-provider prints notices with console.info (stdout) and an "Unsupported
// runtime" warning for Node 20 when it is first imported. stdout is our
// control channel, so route every console method to stderr and drop the
// warnings that are known and harmless here. This must run before
// oidc-provider is loaded, hence the dynamic import below.
const QUIET = [
  'Unsupported runtime', // Node 20 is not on its list, yet every flow the tests use works on it
  'already parsed request body detected', // we pre-read bodies on purpose (see below)
];
for (const method of ['log', 'info', 'warn', 'debug']) {
  console[method] = (...args) => {
    const line = args.map(String).join(' ');
    if (QUIET.some((q) => line.includes(q))) return;
    process.stderr.write(`${line}\n`);
  };
}

// A fresh RSA key per process signs ID tokens and JWT access tokens (RS256);
// we keep the public half to verify JWT access tokens ourselves (see
// introspectJWT). Generating it takes up to a few hundred milliseconds, so it
// runs on the thread pool while oidc-provider loads.
const keyPair = new Promise((resolve, reject) => {
  crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
    if (err) reject(err);
    else resolve({ publicKey, privateKey });
  });
});

const { default: Provider, errors } = await import('oidc-provider');

const { privateKey, publicKey } = await keyPair;
const signingJWK = {
  ...privateKey.export({ format: 'jwk' }),
  kid: crypto.randomBytes(8).toString('hex'),
  use: 'sig',
  alg: 'RS256',
};

// --- fixed test data --------------------------------------------------------
// Mirrored by constants in testserver.go: change both together.
const API_AUDIENCE = 'https://api.tokentray.test';
const API_SCOPES = ['read:things', 'write:things'];
// An API that exists but that no client is authorised for (Auth0: no
// client grant), so a machine-to-machine request for it is refused.
const OTHER_AUDIENCE = 'https://other.tokentray.test';
const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];
const DEFAULT_SUB = 'user-1';

const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
];

// Web (confidential) clients get exact redirect URIs, like Auth0's "Allowed
// Callback URLs". The native client may use any port on a loopback URI:
// oidc-provider ignores the port when comparing loopback redirect URIs of
// application_type=native clients (RFC 8252 section 7.3).
const WEB_REDIRECT_URIS = [
  'http://127.0.0.1:8484/callback',
  'http://127.0.0.1:8485/callback',
  'http://localhost:8484/callback',
];

const CLIENTS = [
  {
    client_id: 'tt-post',
    client_secret: 'tt-post-secret-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: GRANT_TYPES,
    response_types: ['code'],
    redirect_uris: WEB_REDIRECT_URIS,
  },
  {
    client_id: 'tt-basic',
    client_secret: 'tt-basic-secret-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: GRANT_TYPES,
    response_types: ['code'],
    redirect_uris: WEB_REDIRECT_URIS,
  },
  {
    // A machine-to-machine application (Auth0: "Machine to Machine"),
    // allowed the client credentials grant only.
    client_id: 'tt-m2m',
    client_secret: 'tt-m2m-secret-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'tt-public',
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    grant_types: GRANT_TYPES,
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
  },
];

const accessTTL = positiveInt(process.env.ACCESS_TTL, 3600, 'ACCESS_TTL');
// Device flow: code lifetime and the polling interval announced to clients
// (oidc-provider announces none, so clients fall back to RFC 8628's 5 s).
const deviceTTL = positiveInt(process.env.DEVICE_TTL, 600, 'DEVICE_TTL');
const deviceInterval = positiveInt(process.env.DEVICE_INTERVAL, 0, 'DEVICE_INTERVAL');
const port = positiveInt(process.env.PORT, 0, 'PORT');
const MODE = process.env.MODE || 'auth0';
if (!['auth0', 'stock'].includes(MODE)) throw new Error(`MODE must be auth0 or stock, got ${JSON.stringify(MODE)}`);
const AUTH0 = MODE === 'auth0';
const issuerPath = (process.env.ISSUER_PATH || '').replace(/\/+$/, '');
if (issuerPath && (AUTH0 || !/^\/[\w./-]+$/.test(issuerPath))) {
  throw new Error(`ISSUER_PATH needs MODE=stock and a path like /realms/test, got ${JSON.stringify(issuerPath)}`);
}

function positiveInt(raw, fallback, name) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

// --- storage ----------------------------------------------------------------
// oidc-provider's bundled memory adapter is an LRU of 1000 entries, which long
// tests overflow (evicting live grants and tokens at random). This one keeps
// everything until it expires. Entries stay findable for a grace period past
// their expiry so oidc-provider can still tell "expired" from "not found".
const GRACE_MS = 60_000;
const store = new Map(); // "Model:id" -> { payload, expiresAt }
const grantMembers = new Map(); // grantId -> Set of "Model:id"
const userCodes = new Map(); // device user code -> DeviceCode id
const sessionUids = new Map(); // session uid -> Session id

function live(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt + GRACE_MS <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

// Periodic sweep so a long test run does not accumulate dead entries.
setInterval(() => {
  for (const key of store.keys()) live(key);
}, 60_000).unref();

class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    store.set(key, { payload, expiresAt });
    if (payload.grantId) {
      if (!grantMembers.has(payload.grantId)) grantMembers.set(payload.grantId, new Set());
      grantMembers.get(payload.grantId).add(key);
    }
    if (payload.userCode) userCodes.set(payload.userCode, id);
    if (this.model === 'Session' && payload.uid) sessionUids.set(payload.uid, id);
  }

  async find(id) {
    return live(this.key(id));
  }

  async findByUserCode(userCode) {
    const id = userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUid(uid) {
    const id = sessionUids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    const key = this.key(id);
    const payload = store.get(key)?.payload;
    store.delete(key);
    if (payload?.grantId) grantMembers.get(payload.grantId)?.delete(key);
  }

  // Called once per model when a grant is revoked (e.g. refresh token reuse):
  // drop this model's artefacts of the grant.
  async revokeByGrantId(grantId) {
    const members = grantMembers.get(grantId);
    if (!members) return;
    const prefix = `${this.model}:`;
    for (const key of members) {
      if (key.startsWith(prefix)) {
        store.delete(key);
        members.delete(key);
      }
    }
    if (members.size === 0) grantMembers.delete(grantId);
  }
}

// --- listen first, then build the provider ----------------------------------
// The issuer must contain the port, which with PORT=0 is only known once the
// socket is bound, so the provider is created after listen().
let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = http.createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 30_000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const boundPort = server.address().port;
const origin = `http://127.0.0.1:${boundPort}`;
const issuer = origin + issuerPath;

// Auth0's endpoint paths; stock mode keeps oidc-provider's own.
const AUTH0_ROUTES = {
  authorization: '/authorize',
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  device_authorization: '/oauth/device/code',
  code_verification: '/activate',
  jwks: '/.well-known/jwks.json',
  userinfo: '/userinfo',
  end_session: '/v2/logout',
};

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: CLIENTS,
  jwks: { keys: [signingJWK] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },

  ...(AUTH0 ? { routes: AUTH0_ROUTES } : {}),

  scopes: OIDC_SCOPES,
  claims: {
    openid: ['sub'],
    profile: ['name', 'nickname', 'updated_at'],
    email: ['email', 'email_verified'],
  },

  // Every subject exists; claims are derived from the sub so tests can
  // predict them.
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: `Test User ${sub}`,
          nickname: sub,
          email: `${sub}@tokentray.test`,
          email_verified: true,
          updated_at: 0,
        };
      },
    };
  },

  rotateRefreshToken: true,

  ttl: {
    AccessToken: accessTTL,
    ClientCredentials: accessTTL,
    AuthorizationCode: 60,
    DeviceCode: deviceTTL,
    IdToken: 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    RefreshToken: 14 * 24 * 3600,
  },

  // Auth0 grants offline_access without prompt=consent; oidc-provider drops
  // it unless consent is asked for (OIDC Core §11). In auth0 mode our
  // /authorize rewrite (see authorizeRewrite) adds prompt=consent; in stock
  // mode the client must. The interaction below consents to everything.
  interactions: {
    url: (_ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}`,
  },

  responseTypes: ['code'],
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
  clientBasedCORS: () => true,

  features: {
    devInteractions: { enabled: false },
    introspection: {
      enabled: true,
      // Confidential clients may introspect any token; the public client only
      // its own (oidc-provider's default rule, restated to silence its notice).
      allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none'
        || token.clientId === ctx.oidc.client.clientId,
    },
    revocation: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) => {
        if (token.clientId === client.clientId) return true;
        if (client.clientAuthMethod === 'none') return false;
        throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
      },
    },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // No resource requested -> no default audience (opaque access token,
      // good for /userinfo only), like an Auth0 tenant without a default
      // audience.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      // A refresh (or code/device exchange) without a resource parameter gets
      // an access token for the resource that was granted. oidc-provider's
      // default (false) would instead mint an opaque userinfo-only token
      // whenever the grant includes "openid"; Auth0 keeps the audience.
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource === OTHER_AUDIENCE) {
          throw new errors.AccessDenied(`Client is not authorized to access "${resource}".`);
        }
        if (resource !== API_AUDIENCE) throw new errors.InvalidTarget();
        return {
          scope: API_SCOPES.join(' '),
          audience: API_AUDIENCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: accessTTL,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});

// oidc-provider reports its own bugs and our config mistakes only as events.
provider.on('server_error', (_ctx, err) => console.error('server_error:', err));
provider.on('grant.error', (_ctx, err) => {
  if (err?.error_detail === 'refresh token already used') stats.reuse += 1;
});
// The response body is emitted before it is sent: add the interval there.
provider.on('device_authorization.success', (_ctx, body) => {
  if (deviceInterval > 0) body.interval = deviceInterval;
});

// --- test-only state --------------------------------------------------------
// token_requests/by_grant: POSTs to the token endpoint; reuse: refresh tokens
// presented after they were rotated (oidc-provider revokes the grant then);
// held: token answers computed but not sent yet (see lateAnswers).
// authorizations/device_authorizations: the parameters of each authorization
// and device authorization request, last_token_request those of the last
// token request (secret values left out, see describeParams).
const stats = {
  token_requests: 0, by_grant: {}, reuse: 0, held: 0, authorizations: [], device_authorizations: [], last_token_request: {},
};

function resetStats() {
  stats.token_requests = 0;
  stats.by_grant = {};
  stats.reuse = 0;
  stats.authorizations = [];
  stats.device_authorizations = [];
  stats.last_token_request = {};
}

// Every refresh token this server was sent (token and revocation requests),
// so a test can ask whether a token ever reached this issuer.
const received = new Set();

// POST /test/late-answers {ms, count}: the next COUNT token requests are
// processed at once (a refresh token rotates, a code is redeemed) but their
// answers leave MS milliseconds later: the window in which a client that is
// interrupted or cannot store the answer loses a rotated refresh token.
const lateAnswers = { ms: 0, count: 0 };

function answerLate(res, ms) {
  const end = res.end.bind(res);
  res.end = (...args) => {
    stats.held += 1;
    setTimeout(() => {
      stats.held -= 1;
      end(...args);
    }, ms);
    return res;
  };
}

// --- helpers ----------------------------------------------------------------
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1 << 20) throw new HTTPError(413, 'invalid_request', 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

class HTTPError extends Error {
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

function sendJSON(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-store',
  });
  res.end(data);
}

async function readJSON(req) {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  try {
    const body = JSON.parse(raw.toString('utf8'));
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body;
  } catch {
    throw new HTTPError(400, 'invalid_request', 'body must be a JSON object');
  }
}

// Splits a requested scope string into the part oidc-provider treats as OIDC
// scopes and the part that belongs to the API resource, rejecting anything
// unknown so a typo in a test fails loudly instead of being dropped.
function splitScope(scope, resource) {
  const requested = [...new Set(String(scope ?? '').split(' ').filter(Boolean))];
  const oidc = requested.filter((s) => OIDC_SCOPES.includes(s));
  const api = requested.filter((s) => API_SCOPES.includes(s));
  const unknown = requested.filter((s) => !oidc.includes(s) && !api.includes(s));
  if (unknown.length) throw new HTTPError(400, 'invalid_scope', `unknown scope(s): ${unknown.join(' ')}`);
  if (api.length && !resource) {
    throw new HTTPError(400, 'invalid_scope', `scope(s) ${api.join(' ')} need resource ${API_AUDIENCE}`);
  }
  return { oidc, api, all: [...oidc, ...api] };
}

function checkResource(resource) {
  if (resource === undefined || resource === null || resource === '') return undefined;
  if (resource !== API_AUDIENCE) {
    throw new HTTPError(400, 'invalid_target', `unknown resource ${JSON.stringify(resource)}; only ${API_AUDIENCE}`);
  }
  return resource;
}

async function findClient(clientId) {
  const client = await provider.Client.find(String(clientId ?? ''));
  if (!client) throw new HTTPError(400, 'invalid_client', `unknown client_id ${JSON.stringify(clientId)}`);
  return client;
}

// A grant as a consent screen would have produced it.
async function saveGrant(sub, clientId, scopes, resource) {
  const grant = new provider.Grant({ accountId: sub, clientId });
  if (scopes.oidc.length) grant.addOIDCScope(scopes.oidc.join(' '));
  if (resource) grant.addResourceScope(resource, scopes.api.join(' '));
  return grant.save();
}

// --- test endpoints ---------------------------------------------------------

// POST /test/mint: the refresh token a user would hold after signing in to
// clientId with scope (and resource), without any browser.
async function mint(req, res) {
  const body = await readJSON(req);
  const client = await findClient(body.client_id);
  const resource = checkResource(body.resource);
  const scopes = splitScope(body.scope, resource);
  if (!scopes.oidc.includes('offline_access')) {
    throw new HTTPError(400, 'invalid_scope', 'a refresh token needs the offline_access scope');
  }
  const sub = String(body.sub || DEFAULT_SUB);
  const grantId = await saveGrant(sub, client.clientId, scopes, resource);
  const now = Math.floor(Date.now() / 1000);
  const rt = new provider.RefreshToken({
    accountId: sub,
    authTime: now,
    client,
    grantId,
    gty: 'authorization_code',
    resource,
    rotations: 0,
    scope: scopes.all.join(' '),
  });
  sendJSON(res, 200, { refresh_token: await rt.save() });
}

// POST /test/approve-device: what the user would do on the verification page.
async function approveDevice(req, res) {
  const body = await readJSON(req);
  // oidc-provider stores user codes upper-cased without separators.
  const userCode = String(body.user_code ?? '').toUpperCase().replace(/\W/g, '');
  const code = await provider.DeviceCode.findByUserCode(userCode, { ignoreExpiration: true });
  if (!code) throw new HTTPError(404, 'not_found', 'no such user_code');
  if (code.isExpired) throw new HTTPError(400, 'expired_token', 'device code is expired');
  if (code.accountId || code.error || code.consumed) {
    throw new HTTPError(409, 'already_used', 'device code was already approved or denied');
  }

  if (body.deny) {
    // Read by the device_code grant, which then answers access_denied.
    code.error = 'access_denied';
    code.errorDescription = 'End-User aborted interaction';
  } else {
    const params = code.params ?? {};
    const resource = checkResource(Array.isArray(params.resource) ? params.resource[0] : params.resource);
    const scopes = splitScope(params.scope, resource);
    const sub = String(body.sub || DEFAULT_SUB);
    Object.assign(code, {
      accountId: sub,
      authTime: Math.floor(Date.now() / 1000),
      grantId: await saveGrant(sub, code.clientId, scopes, resource),
      scope: scopes.all.join(' '),
      resource,
    });
  }
  await code.save();
  sendJSON(res, 200, { ok: true });
}

// Automatic sign-in and consent for the browser-based flows (/authorize and
// the /activate device page): the user is login_hint or user-1 and consents
// to everything requested. Tests drive it with any HTTP client that keeps
// cookies and follows redirects.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: String(params.login_hint || DEFAULT_SUB) } };
  } else if (prompt.name === 'consent') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    throw new HTTPError(400, 'invalid_request', `unsupported prompt ${prompt.name}`);
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

// oidc-provider cannot introspect JWT access tokens (they are not stored, it
// answers unsupported_token_type). Tests still want to ask "is this access
// token good?", so answer for JWTs here: signed by us, our issuer, not
// expired. Like Auth0's, such tokens stay valid until they expire even if
// their grant is revoked.
function introspectJWT(token, form, headers) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let header;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || !header.alg) return undefined;

  authenticateConfidential(form, headers);

  const signed = crypto.verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    publicKey,
    Buffer.from(parts[2], 'base64url'),
  );
  if (header.alg !== 'RS256' || header.kid !== signingJWK.kid || !signed) return { active: false };
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (claims.iss !== issuer || !(claims.exp > Date.now() / 1000)) return { active: false };
  return { active: true, token_type: 'Bearer', ...claims };
}

// How a request authenticates its client: which method, as which client,
// with which secret.
function clientCredentials(form, headers) {
  const auth = headers.authorization ?? '';
  if (/^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const unescape = (v) => {
      try {
        return decodeURIComponent(v.replace(/\+/g, '%20'));
      } catch {
        return v;
      }
    };
    return {
      method: 'client_secret_basic',
      id: unescape(decoded.slice(0, i)),
      secret: unescape(decoded.slice(i + 1)),
    };
  }
  if (form.has('client_secret')) {
    return { method: 'client_secret_post', id: form.get('client_id'), secret: form.get('client_secret') };
  }
  return { method: 'none', id: form.get('client_id') };
}

// oidc-provider accepts client_secret_basic and client_secret_post
// interchangeably, whatever the client registered. Auth0 applications have
// one "Token Endpoint Authentication Method", and tokentray must send the
// right one (golang.org/x/oauth2's AuthStyle), so refuse the other one here.
function enforceAuthMethod(form, headers) {
  const { method, id } = clientCredentials(form, headers);
  if (method === 'none') return; // oidc-provider rejects it for confidential clients
  const client = CLIENTS.find((c) => c.client_id === id);
  if (client && client.token_endpoint_auth_method !== method) {
    throw new HTTPError(401, 'invalid_client', 'client authentication failed');
  }
}

// The JWT introspection caller must be one of the confidential clients.
function authenticateConfidential(form, headers) {
  const { method, id, secret } = clientCredentials(form, headers);
  const client = CLIENTS.find((c) => c.client_id === id);
  if (!client || !client.client_secret || client.token_endpoint_auth_method !== method
    || client.client_secret !== secret) {
    throw new HTTPError(401, 'invalid_client', 'client authentication failed');
  }
}

// Auth0 clients name the API with "audience"; oidc-provider speaks RFC 8707
// "resource". Translate when only audience is present.
function aliasAudience(params) {
  if (params.has('audience') && !params.has('resource')) {
    params.set('resource', params.get('audience'));
  }
}

// Rewrites GET /authorize query parameters the Auth0 way (audience, and
// offline_access without prompt=consent) before oidc-provider sees them.
function authorizeRewrite(req, url) {
  const params = url.searchParams;
  aliasAudience(params);
  if (params.get('scope')?.split(' ').includes('offline_access') && !params.has('prompt')) {
    params.set('prompt', 'consent');
  }
  req.url = `${url.pathname}?${params}`;
}

// What a test may want to know about the last authorization and token
// request: every parameter, with the values of secrets left out.
const SECRET_PARAMS = new Set(['client_secret', 'refresh_token', 'code', 'code_verifier', 'device_code', 'token']);
function describeParams(params) {
  const out = {};
  for (const [k, v] of params) out[k] = SECRET_PARAMS.has(k) ? '' : v;
  return out;
}

// --- HTTP layer -------------------------------------------------------------
const providerCallback = provider.callback();
// Paths relative to the issuer, in this mode.
const paths = {
  authorization: provider.pathFor('authorization').slice(issuerPath.length),
  token: provider.pathFor('token').slice(issuerPath.length),
  revocation: provider.pathFor('revocation').slice(issuerPath.length),
  introspection: provider.pathFor('introspection').slice(issuerPath.length),
  device: provider.pathFor('device_authorization').slice(issuerPath.length),
};
const CLIENT_AUTH_PATHS = [paths.token, paths.device, paths.introspection, paths.revocation];

// testRoute answers the test-only endpoints, which live at the origin's
// root whatever the issuer's path; false when req is not one of them.
async function testRoute(req, res, route) {
  switch (route) {
    case 'POST /test/mint': await mint(req, res); return true;
    case 'POST /test/approve-device': await approveDevice(req, res); return true;
    case 'GET /test/stats': sendJSON(res, 200, stats); return true;
    case 'POST /test/reset-stats':
      resetStats();
      sendJSON(res, 200, stats);
      return true;
    case 'POST /test/late-answers': {
      const body = await readJSON(req);
      lateAnswers.ms = Math.max(0, Number(body.ms) || 0);
      lateAnswers.count = Math.max(0, Number(body.count) || 0);
      sendJSON(res, 200, lateAnswers);
      return true;
    }
    case 'POST /test/received': {
      const body = await readJSON(req);
      sendJSON(res, 200, { received: received.has(String(body.token ?? '')) });
      return true;
    }
    default:
      return false;
  }
}

handler = async (req, res) => {
  try {
    let url = new URL(req.url, origin);
    if (await testRoute(req, res, `${req.method} ${url.pathname}`)) return undefined;

    // Everything else lives under the issuer's path: mount oidc-provider
    // there the way Express does (originalUrl keeps the full path, so the
    // URLs it builds carry the prefix).
    if (issuerPath) {
      if (url.pathname !== issuerPath && !url.pathname.startsWith(`${issuerPath}/`)) {
        return sendJSON(res, 404, { error: 'not_found', error_description: 'not under the issuer' });
      }
      req.originalUrl = req.url;
      req.url = req.url.slice(issuerPath.length) || '/';
      url = new URL(req.url, origin);
    }

    if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
      return await interaction(req, res);
    }
    if (req.method === 'GET' && url.pathname === paths.authorization) {
      stats.authorizations.push(describeParams(url.searchParams));
      if (AUTH0) authorizeRewrite(req, url);
    }

    if (req.method === 'POST' && CLIENT_AUTH_PATHS.includes(url.pathname)) {
      // Read the form ourselves (to count grant types, check the client
      // authentication method and alias audience), then hand oidc-provider
      // the bytes through req.body, which its body parser accepts when the
      // stream was already consumed.
      const raw = await readBody(req);
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const form = new URLSearchParams(isForm ? raw.toString('utf8') : '');

      if (url.pathname === paths.token) {
        // Counted before oidc-provider runs, so failed requests count too.
        const grantType = form.get('grant_type') ?? '';
        stats.token_requests += 1;
        stats.by_grant[grantType] = (stats.by_grant[grantType] ?? 0) + 1;
        stats.last_token_request = describeParams(form);
        if (form.has('refresh_token')) received.add(form.get('refresh_token'));
        if (lateAnswers.count > 0) {
          lateAnswers.count -= 1;
          answerLate(res, lateAnswers.ms);
        }
      }
      if (url.pathname === paths.device) stats.device_authorizations.push(describeParams(form));
      if (url.pathname === paths.revocation && form.has('token')) received.add(form.get('token'));
      enforceAuthMethod(form, req.headers);
      if (url.pathname === paths.introspection) {
        const answer = introspectJWT(form.get('token') ?? '', form, req.headers);
        if (answer) return sendJSON(res, 200, answer);
      }
      let body = raw;
      if (AUTH0 && isForm && form.has('audience') && !form.has('resource')) {
        aliasAudience(form);
        body = Buffer.from(form.toString());
      }
      req.body = body;
    }

    return await providerCallback(req, res);
  } catch (err) {
    if (err instanceof HTTPError) {
      if (err.status === 401 && req.headers.authorization) {
        res.setHeader('WWW-Authenticate', `Basic realm="${issuer}", error="${err.error}"`);
      }
      return sendJSON(res, err.status, { error: err.error, error_description: err.message });
    }
    console.error('testserver: unhandled error:', err);
    if (!res.headersSent) {
      return sendJSON(res, 500, { error: 'server_error', error_description: String(err?.message ?? err) });
    }
    res.destroy();
  }
};

// --- lifecycle --------------------------------------------------------------
function shutdown() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.TESTSERVER_IGNORE_STDIN !== '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

const endpoints = {};
for (const [key, route] of Object.entries({
  authorization: 'authorization', token: 'token', revocation: 'revocation', introspection: 'introspection',
  device: 'device_authorization', jwks: 'jwks', userinfo: 'userinfo',
})) {
  endpoints[key] = origin + provider.pathFor(route);
}
endpoints.discovery = `${issuer}/.well-known/openid-configuration`;
process.stdout.write(`${JSON.stringify({ issuer, port: boundPort, endpoints })}\n`);
