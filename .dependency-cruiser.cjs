/**
 * Module boundaries, checked in `npm test` (`npm run lint:modules`). A module is a folder under
 * src/ (capacity, bookings, payments, ledger, users, availability, idempotency, locks, mongo, auth,
 * graphql, http, dev); files directly in src/ are the shared kernel and the composition root.
 * test/, bench/, chaos/ and scripts/ are cruised too, for the rules about how they reach modules.
 */
const DOMAIN = '^src/(capacity|bookings|payments|ledger|users|availability|idempotency|locks|mongo|auth)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      severity: 'error',
      comment: 'No import cycles between files.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-transport',
      severity: 'error',
      comment:
        "Domain code never imports transport code (src/graphql, src/http, the error table the transports answer from: src/errorResponse.ts) or transport libraries; only a module's resolvers.ts, which is its GraphQL face, may use the generated resolver types.",
      from: { path: DOMAIN, pathNot: '/resolvers\\.ts$' },
      to: {
        path: [
          '^src/(graphql|http|generated)/',
          '^src/errorResponse\\.ts$',
          'node_modules/(graphql|graphql-ws|ws|express|@apollo|@as-integrations|@graphql-tools)/',
        ],
      },
    },
    {
      name: 'resolvers-only-types-from-transport',
      severity: 'error',
      comment: 'A resolver file reaches services through the context only; it imports no graphql/ or http/ code but the context type.',
      from: { path: `${DOMAIN}resolvers\\.ts$` },
      to: { path: '^src/(graphql|http)/', pathNot: '^src/graphql/context\\.ts$' },
    },
    {
      name: 'modules-only-through-index',
      severity: 'error',
      comment:
        "Another module is entered only through its index.ts (its public face); a domain module's resolvers.ts is its GraphQL face, which only src/graphql/schema.ts imports (next rule).",
      from: { path: '^src/([^/]+)/', pathNot: '^src/generated/' },
      to: {
        path: '^src/[^/]+/',
        pathNot: [
          '^src/$1/',
          '^src/[^/]+/(index|resolvers)\\.ts$',
          // The generated resolver types and the context type they take: the GraphQL face's own types.
          '^src/generated/graphql\\.ts$',
          '^src/graphql/context\\.ts$',
        ],
      },
    },
    {
      name: 'test-faces-only-for-tests',
      severity: 'error',
      comment:
        "A module's testing.ts is its test face (what tests drive below index.ts: a queue alone, a batch body with a stale read); no src/ code imports it.",
      from: { path: '^src/' },
      to: { path: '^src/[^/]+/testing\\.ts$' },
    },
    {
      name: 'tests-through-faces',
      severity: 'error',
      comment: 'Tests, benchmarks, the chaos run and scripts enter a module only through its index.ts, or its test face testing.ts.',
      from: { path: '^(test|bench|chaos|scripts)/' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/(index|testing)\\.ts$' },
    },
    {
      name: 'resolvers-only-for-the-schema',
      severity: 'error',
      comment: "Only src/graphql/schema.ts assembles the modules' resolvers.",
      from: { path: '^src/', pathNot: ['^src/graphql/schema\\.ts$'] },
      to: { path: `${DOMAIN}resolvers\\.ts$` },
    },
    {
      name: 'stripe-only-through-the-gateway',
      severity: 'error',
      comment: 'Only the payments gateway (and the client and set-up that build it) talk to the Stripe SDK.',
      from: { path: '^src/', pathNot: '^src/payments/(stripeGateway|stripeClient|stripeSetup)\\.ts$' },
      to: { path: 'node_modules/stripe/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'runtime-not-dev',
      severity: 'error',
      comment: 'Runtime code loads dev tooling (embedded mongod, stripe-mock provisioning) only lazily, with import().',
      from: { path: '^src/', pathNot: '^src/dev/' },
      to: { path: '^src/dev/', dependencyTypesNot: ['dynamic-import'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7 has no JS API for the cruiser, so swc's TypeScript parser reads the sources.
    parser: 'swc',
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
