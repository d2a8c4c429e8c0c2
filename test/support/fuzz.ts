import { readFileSync } from 'node:fs';
import { ObjectId } from 'mongodb';
import {
  buildSchema,
  getNamedType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import type { Random } from './random';

/** The contract itself, without resolvers: operations are generated from what clients are promised. */
export function contractSchema(): GraphQLSchema {
  return buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
}

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface FuzzOperation {
  kind: OperationKind;
  /** The root field it calls. */
  field: string;
  query: string;
  variables: Record<string, unknown>;
  /** What was made hostile (variable paths, or the document's shape), for failure messages. */
  hostile: string[];
  /** The document itself is broken (syntax, validation or a query limit): it must be refused before anything runs. */
  brokenDocument: boolean;
}

export type IdKind = 'resource' | 'hold' | 'account' | 'booking' | 'user';

/** Real values from the seeded database, so valid-looking calls reach the resolvers. */
export interface FuzzPools {
  ids: Record<IdKind, string[]>;
  /** Valid dates (today or later on the app's clock), ascending. */
  dates: string[];
  /** Dates that parse but that the domain should refuse: past, beyond the booking horizon, far away. */
  edgeDates: string[];
  /** Cursors the API gave out. */
  cursors: string[];
  /** A fresh idempotency key, or now and then one used before. */
  idempotencyKey(rng: Random): string;
}

const LONG = 'x'.repeat(10_000);

/** Values that are wrong for almost any argument: out of range, wrong type, operator-looking, odd text. */
const HOSTILE_ANY: unknown[] = [
  2 ** 53,
  -(2 ** 53),
  1e308,
  2 ** 31,
  -1,
  0,
  1.5,
  '5',
  '',
  LONG,
  '😀'.repeat(50),
  '\u202eRTL\u202c',
  'a\u0000b',
  '\ud800',
  '\udfff',
  '{"$gt":""}',
  '$where',
  'a.b',
  '$ne',
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(100)' },
  ['a'],
  true,
  null,
];

const HOSTILE_IDS = [
  'not-an-id',
  '000000000000000000000000',
  'ffffffffffffffffffffffff',
  'ZZZZZZZZZZZZZZZZZZZZZZZZ',
  ' ',
  '__proto__',
  'constructor',
];
const HOSTILE_DATES = [
  '2027-02-30',
  '0000-01-01',
  '9999-12-31',
  '1970-01-01',
  '2027-13-01',
  '2027-1-1',
  '2027-06-01T00:00:00Z',
  ' 2027-06-01',
  20270601,
];
const HOSTILE_CURRENCIES = ['eur', 'XXX', 'EURO', '€', 'ABC', ' EUR'];

/**
 * One operation on a root field of `kind`, shaped as the schema says (argument names, input
 * fields, a small selection set), with its values passed as variables: valid ones from `pools`,
 * hostile ones mixed in. Now and then the document itself is broken instead.
 */
export function generateOperation(schema: GraphQLSchema, kind: OperationKind, rng: Random, pools: FuzzPools): FuzzOperation {
  const root = rootType(schema, kind);
  const field = rng.pick(Object.values(root.getFields()));
  const valid: Record<string, unknown> = {};
  const nodes: ValueNode[] = [];
  for (const arg of field.args) {
    // Optional arguments: sometimes left out, sometimes an explicit null.
    if (!isNonNullType(arg.type) && rng.chance(0.4)) {
      if (rng.chance(0.5)) valid[arg.name] = null;
      continue;
    }
    valid[arg.name] = validValue(arg.type, [field.name, arg.name], rng, pools, nodes);
  }

  const variables = structuredClone(valid);
  const hostile: string[] = [];
  const mode = rng.next();
  // A quarter all valid, most with one hostile value (the deepest probe of one check), the rest many.
  const targets = mode < 0.25 ? [] : mode < 0.7 ? (nodes.length ? [rng.pick(nodes)] : []) : nodes.filter(() => rng.chance(0.3));
  for (const node of targets) {
    const path = node.path.join('.');
    if (hostile.some((done) => path === done || path.startsWith(`${done}.`))) continue;
    setAt(variables, node.path.slice(1), hostileValue(node.type, node.path, rng, pools));
    hostile.push(path);
  }

  const varDefs = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const call = `${field.name}${args ? `(${args})` : ''}${selectionSet(field.type, rng, 0)}`;
  const document = (body: string) => `${kind} Fuzz${varDefs ? `(${varDefs})` : ''} { ${body} }`;
  let query = document(call);
  const brokenDocument = rng.chance(0.08);
  if (brokenDocument) {
    const broken = breakShape(query, call, document, field.args, rng);
    query = broken.query;
    hostile.push(`document: ${broken.how}`);
  }
  return { kind, field: field.name, query, variables, hostile, brokenDocument };
}

function rootType(schema: GraphQLSchema, kind: OperationKind): GraphQLObjectType {
  const root = kind === 'query' ? schema.getQueryType() : kind === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) throw new Error(`the schema has no ${kind} type`);
  return root;
}

interface ValueNode {
  /** [rootField, argName, ...input field names or list indexes] */
  path: (string | number)[];
  type: GraphQLInputType;
}

function validValue(type: GraphQLInputType, path: (string | number)[], rng: Random, pools: FuzzPools, nodes: ValueNode[]): unknown {
  nodes.push({ path, type });
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const named = getNamedType(inner);
    if (named.name === 'LocalDate') {
      const start = rng.int(Math.max(1, pools.dates.length - 3));
      return pools.dates.slice(start, start + 1 + rng.int(3));
    }
    return [validValue(inner.ofType, [...path, 0], rng, pools, nodes)];
  }
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      if (!isNonNullType(field.type) && rng.chance(0.5)) continue;
      value[field.name] = validValue(field.type, [...path, field.name], rng, pools, nodes);
    }
    return value;
  }
  if (isEnumType(inner)) return rng.pick(inner.getValues()).name;
  return validLeaf(inner.name, path, rng, pools);
}

function validLeaf(scalar: string, path: (string | number)[], rng: Random, pools: FuzzPools): unknown {
  const name = String(path.at(-1));
  switch (scalar) {
    case 'ID': {
      const kind = idKind(path);
      // Mostly the right kind (anyone's: wrong owners come for free), sometimes another kind's id.
      return rng.pick(pools.ids[kind && rng.chance(0.85) ? kind : rng.pick(Object.keys(pools.ids) as IdKind[])]);
    }
    case 'LocalDate': {
      const half = Math.floor(pools.dates.length / 2);
      if (name === 'from') return pools.dates[rng.int(half)];
      if (name === 'to') return pools.dates[half + rng.int(pools.dates.length - half)];
      return rng.pick(pools.dates);
    }
    case 'PositiveInt':
      if (name === 'capacity') return 1 + rng.int(3);
      if (name === 'pricePerDate') return 100 + rng.int(20_000);
      return 1 + rng.int(500);
    case 'NonNegativeInt':
    case 'SafeInt':
      return rng.int(100);
    case 'Int':
      return name === 'first' ? 1 + rng.int(30) : rng.int(4);
    case 'Currency':
      return rng.chance(0.8) ? 'EUR' : 'USD';
    case 'String':
      if (name === 'idempotencyKey') return pools.idempotencyKey(rng);
      if (name === 'after') return rng.pick(pools.cursors);
      return rng.pick(['Lake cabin', 'thanks', 'Zimmer 3', 'ok']);
    case 'Boolean':
      return rng.chance(0.5);
    default:
      throw new Error(`no valid values for scalar ${scalar}`);
  }
}

/** Which pool an ID argument draws from, by the nearest name on its path (`holdId`, `hold(id)`, …). */
function idKind(path: (string | number)[]): IdKind | undefined {
  const kinds: IdKind[] = ['resource', 'booking', 'account', 'hold', 'user'];
  for (const segment of [...path].reverse()) {
    const found = kinds.find((kind) => String(segment).toLowerCase().includes(kind));
    if (found) return found;
  }
  return undefined;
}

function hostileValue(type: GraphQLInputType, path: (string | number)[], rng: Random, pools: FuzzPools): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (rng.chance(0.2)) return rng.pick(HOSTILE_ANY);
  if (isListType(inner)) {
    const date = rng.pick(pools.dates);
    return rng.pick<unknown>([
      [],
      [date, date],
      [null],
      [[date]],
      date,
      Array.from({ length: 32 }, (_, i) => pools.dates[i % pools.dates.length]),
      Array.from({ length: 1000 }, () => date),
      [rng.pick(pools.edgeDates)],
      [rng.pick(HOSTILE_DATES)],
    ]);
  }
  if (isInputObjectType(inner)) {
    return rng.pick<unknown>([{}, 'input', [], { $where: 'true' }, { ...(validValue(inner, path, rng, pools, []) as object), extra: 1 }]);
  }
  if (isEnumType(inner)) return rng.pick<unknown>(['admin', 'ROOT', '', 0, 'USER ']);
  switch (inner.name) {
    case 'ID':
      return rng.pick([...HOSTILE_IDS, new ObjectId().toHexString(), LONG, '😀', 'a\u0000b', '{"$gt":""}', '$ne', 'a.b', 42, 1e308]);
    case 'LocalDate':
      return rng.pick<unknown>([...HOSTILE_DATES, ...pools.edgeDates, '', LONG]);
    case 'Currency':
      return rng.pick<unknown>([...HOSTILE_CURRENCIES, '', 978]);
    case 'String':
      return rng.pick<unknown>([
        '',
        LONG,
        'x'.repeat(501),
        '😀'.repeat(300),
        '\u202eRTL',
        'a\u0000b',
        '\ud800',
        '{"$gt":""}',
        '$where',
        'a.b',
        5,
      ]);
    default:
      return rng.pick<unknown>([2 ** 53, 2 ** 53 - 1, 1e308, -1, 0, 1.5, '5', 2 ** 31, 100_000_000, -(2 ** 31) - 1]);
  }
}

function setAt(target: Record<string, unknown>, path: (string | number)[], value: unknown) {
  let current = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) current = current[key] as Record<string | number, unknown>;
  current[path.at(-1)!] = value;
}

/** A few scalar fields and `__typename`, one nested object now and then, `... on X` for unions. */
function selectionSet(type: GraphQLOutputType, rng: Random, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) {
    const fragments = named
      .getTypes()
      .filter(() => rng.chance(0.7))
      .map((member) => ` ... on ${member.name}${selectionSet(member, rng, depth + 1)}`);
    return ` { __typename${fragments.join('')} }`;
  }
  if (!isObjectType(named)) return ' { __typename }';
  const fields = Object.values(named.getFields()).filter((field) => field.args.every((arg) => !isNonNullType(arg.type)));
  const leaves = fields.filter((field) => isLeafType(getNamedType(field.type)) && rng.chance(0.5));
  const objects = depth < 3 ? fields.filter((field) => !isLeafType(getNamedType(field.type)) && rng.chance(0.6)) : [];
  const picked = [
    ...leaves.map((field) => field.name),
    ...objects.map((field) => `${field.name}${selectionSet(field.type, rng, depth + 1)}`),
  ];
  return ` { __typename${picked.map((field) => ` ${field}`).join('')} }`;
}

/** A document the server must refuse before running anything. */
function breakShape(
  query: string,
  call: string,
  document: (body: string) => string,
  args: readonly GraphQLArgument[],
  rng: Random,
): { query: string; how: string } {
  const ways: { how: string; query: () => string }[] = [
    { how: 'truncated', query: () => query.slice(0, 1 + rng.int(query.length - 1)) },
    { how: 'unknown field', query: () => query.replace(/__typename/, '__typename notAField') },
    { how: 'aliases over the limit', query: () => document(Array.from({ length: 16 }, (_, i) => `a${i}: ${call}`).join(' ')) },
    // Distinct aliases: graphql-js's own guard against many overlapping fields would refuse repeats anyway.
    {
      how: 'over the token limit',
      query: () => document(`${call} ${Array.from({ length: 700 }, (_, i) => `t${i}: __typename`).join(' ')}`),
    },
    { how: 'unbalanced braces', query: () => query.replace('__typename', `__typename ${'{'.repeat(40)}`) },
    {
      how: 'directives over the limit',
      query: () =>
        query.replace(
          '__typename',
          Array.from({ length: 11 }, (_, i) => `t${i}: __typename @include(if: true) @skip(if: false)`).join(' '),
        ),
    },
  ];
  if (args.length) {
    const arg = rng.pick(args);
    ways.push(
      {
        how: `variable $${arg.name} declared as Boolean`,
        query: () => query.replace(`$${arg.name}: ${String(arg.type)}`, `$${arg.name}: Boolean`),
      },
      { how: `argument ${arg.name} misspelled`, query: () => query.replace(`${arg.name}: $${arg.name}`, `${arg.name}X: $${arg.name}`) },
      {
        how: `argument ${arg.name} inlined as an object`,
        query: () => query.replace(`${arg.name}: $${arg.name}`, `${arg.name}: { $gt: "" }`),
      },
    );
  }
  const way = rng.pick(ways);
  return { query: way.query(), how: way.how };
}
