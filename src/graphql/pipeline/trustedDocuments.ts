import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DocumentNode } from 'graphql';
import { DomainError } from '../../errors';
import { StartupError } from '../../startupErrors';
import { isRefused, type PreparedDocument } from './documents';

/** The manifest TRUSTED_DOCUMENTS names: sha256 in hex → document, as `npm run codegen` writes it. */
export interface TrustedManifest {
  /** Where it was read, for start-up errors. */
  source: string;
  documents: ReadonlyMap<string, string>;
}

/** How a client names the document it wants run: its text (`query`) and/or `extensions.persistedQuery.sha256Hash`. */
export interface NamedDocument {
  query?: unknown;
  extensions?: unknown;
}

export interface TrustedDocuments {
  /**
   * The trusted text a request runs: the document its `sha256Hash` names (a `query` sent with it
   * must be that very text), or its `query` when that is exactly a trusted document; undefined when
   * it names none (no query, no hash), which each transport refuses as it always does. Throws
   * PERSISTED_QUERY_NOT_FOUND for an unknown hash, FORBIDDEN for any other document, BAD_REQUEST
   * for a malformed `persistedQuery`.
   */
  resolve(request: NamedDocument): string | undefined;
  /** A trusted text's document, parsed and validated once, at start. */
  document(query: string): DocumentNode | undefined;
}

const HASH = /^[0-9a-f]{64}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const FIX = 'point TRUSTED_DOCUMENTS at the manifest `npm run codegen` writes (examples/gql/persisted-documents.json), or unset it';
const REGENERATE = 'regenerate it with `npm run codegen`';

function readManifest(path: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`TRUSTED_DOCUMENTS names no readable file (${(error as NodeJS.ErrnoException).code ?? error}: ${path}): ${FIX}`);
  }
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Reads and checks the manifest at start (a StartupError, one line, for anything wrong): a JSON
 * object of sha256 in hex (a `sha256:` prefix is allowed) → document, each document hashing to its
 * key, at least one of them. Whether they are valid against the schema the pipeline checks.
 */
export function loadTrustedManifest(path: string): TrustedManifest {
  const parsed = readManifest(path);
  if (!isObject(parsed)) throw new StartupError(`TRUSTED_DOCUMENTS (${path}) is not a JSON object of sha256 → document: ${FIX}`);
  const documents = new Map<string, string>();
  for (const [key, text] of Object.entries(parsed)) {
    const hash = key.replace(/^sha256:/, '');
    if (!HASH.test(hash) || typeof text !== 'string') {
      throw new StartupError(`TRUSTED_DOCUMENTS (${path}): "${key.slice(0, 80)}" is not a sha256 in hex naming a document: ${REGENERATE}`);
    }
    if (sha256(text) !== hash)
      throw new StartupError(`TRUSTED_DOCUMENTS (${path}): the document under ${hash} does not hash to it: ${REGENERATE}`);
    documents.set(hash, text);
  }
  if (documents.size === 0)
    throw new StartupError(`TRUSTED_DOCUMENTS (${path}) holds no documents, so every operation would be refused: ${FIX}`);
  return { source: path, documents };
}

/** The hash `extensions.persistedQuery` names, if any (Apollo's wire format, which Yoga reads too). */
function persistedHash(extensions: unknown): string | undefined {
  const persisted = isObject(extensions) ? extensions.persistedQuery : undefined;
  if (persisted === undefined || persisted === null) return undefined;
  if (!isObject(persisted) || typeof persisted.sha256Hash !== 'string') {
    throw new DomainError('BAD_REQUEST', "extensions.persistedQuery needs a sha256Hash: the document's sha256 in hex");
  }
  if (persisted.version !== undefined && persisted.version !== 1)
    throw new DomainError('BAD_REQUEST', 'Unsupported persisted query version: send 1');
  return persisted.sha256Hash;
}

/**
 * Only the manifest's documents run: each is prepared (parsed with the token limit, validated with
 * the shape limits) once, here, and a manifest whose document the pipeline refuses stops the start.
 */
export function trustedDocuments(manifest: TrustedManifest, prepare: (query: string) => PreparedDocument): TrustedDocuments {
  const byHash = new Map<string, string>();
  const prepared = new Map<string, DocumentNode>();
  for (const [hash, text] of manifest.documents) {
    const document = prepare(text);
    if (isRefused(document)) {
      throw new StartupError(
        `TRUSTED_DOCUMENTS (${manifest.source}): the document ${hash} does not validate against this schema (${document[0]?.message}): ${REGENERATE}`,
      );
    }
    byHash.set(hash, text);
    prepared.set(text, document);
  }
  return {
    resolve(request) {
      const hash = persistedHash(request.extensions);
      const query = typeof request.query === 'string' && request.query !== '' ? request.query : undefined;
      if (hash !== undefined) {
        const text = byHash.get(hash);
        if (text === undefined) throw new DomainError('PERSISTED_QUERY_NOT_FOUND', 'No trusted document has this sha256Hash');
        if (query !== undefined && query !== text)
          throw new DomainError('FORBIDDEN', 'The query sent is not the trusted document with this sha256Hash');
        return text;
      }
      if (query === undefined) return undefined;
      if (!prepared.has(query)) {
        throw new DomainError(
          'FORBIDDEN',
          "Only trusted documents run on this server: send one of its manifest's documents exactly, or its sha256 in extensions.persistedQuery.sha256Hash",
        );
      }
      return query;
    },
    document: (query) => prepared.get(query),
  };
}
