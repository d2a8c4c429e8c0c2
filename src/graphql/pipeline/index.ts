import { type ExecutionArgs, type GraphQLError, type GraphQLSchema, getOperationAST } from 'graphql';
import type { TokenSettings } from '../../auth';
import { DomainError } from '../../errors';
import type { Logger } from '../../logger';
import type { Services } from '../../services';
import { toGraphQLError } from '../errors';
import { errorMasking, type FormatError } from '../masking';
import { type Admission, type CallerReading, type OnResolved, operationAdmission } from './admission';
import { documentPreparer, isRefused, type PreparedDocument } from './documents';
import { queryShapeLimits, type QueryShapeLimits } from './limits';
import { mutationRateLimiter } from './rateLimit';
import { withRequestId } from './requestId';
import { type NamedDocument, type TrustedManifest, trustedDocuments } from './trustedDocuments';

export type { CallerReading, OnResolved } from './admission';
export { isRefused, type PreparedDocument, withCode } from './documents';
export { loadTrustedManifest, type NamedDocument, type TrustedManifest } from './trustedDocuments';

/** One operation as a client sends it, over either transport. */
export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  /** `persistedQuery.sha256Hash` names a trusted document (TRUSTED_DOCUMENTS); `query` may then be empty. */
  extensions?: Record<string, unknown> | null;
}

/**
 * The one way an operation is prepared, whatever its transport: parsed with the token limit and
 * validated with the query-shape rules (`prepareDocument`, once per distinct text), its caller made
 * current and its mutation counted against the per-user rate limit (`admitOperation`), and its
 * context built; errors are masked by `formatError`. Built once per instance. graphql-ws calls
 * `prepareOperation` (every step, in that order) for each operation; Apollo runs its own request
 * lifecycle, so the HTTP side calls the same steps from Apollo's hooks (see ../apolloPipeline.ts).
 */
export interface OperationPipeline extends Admission {
  schema: GraphQLSchema;
  limits: QueryShapeLimits;
  formatError: FormatError;
  production: boolean;
  /** Whether only the trusted documents run (TRUSTED_DOCUMENTS). */
  trustedOnly: boolean;
  /**
   * With TRUSTED_DOCUMENTS, the trusted text a request names (by sha256Hash, or its exact text), or
   * undefined when it names none; throws PERSISTED_QUERY_NOT_FOUND or FORBIDDEN for anything else.
   * Without, undefined: every document may run.
   */
  trustedQuery(request: NamedDocument): string | undefined;
  prepareDocument(query: string): PreparedDocument;
  /**
   * The execution arguments, or the errors that refuse the document; throws what refuses the
   * operation (a document that is not trusted, RATE_LIMITED, an outage).
   */
  prepareOperation(
    request: OperationRequest,
    reading: CallerReading,
    onResolved?: OnResolved,
  ): Promise<ExecutionArgs | readonly GraphQLError[]>;
}

/** Which tokens are accepted (`TokenSettings`), and the rest of what the pipeline is built from. */
export interface PipelineOptions extends TokenSettings {
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  production: boolean;
  mutationsPerMinute: number;
  /** TRUSTED_DOCUMENTS: only these documents run. */
  trustedDocuments?: TrustedManifest;
}

export function operationPipeline(options: PipelineOptions): OperationPipeline {
  const { schema } = options;
  const limits = queryShapeLimits(options.production);
  const prepare = documentPreparer(schema, limits);
  const trusted = options.trustedDocuments && trustedDocuments(options.trustedDocuments, prepare);
  // A trusted document was prepared at start and is kept for good, not in the cache of recent ones.
  const prepareDocument = (query: string) => trusted?.document(query) ?? prepare(query);
  const admission = operationAdmission({ ...options, rateLimiter: mutationRateLimiter(options.mutationsPerMinute) });
  return {
    ...admission,
    schema,
    limits,
    formatError: withRequestId(errorMasking(options.logger, options.production)),
    production: options.production,
    trustedOnly: trusted !== undefined,
    trustedQuery: (request) => trusted?.resolve(request),
    prepareDocument,
    async prepareOperation(request, reading, onResolved) {
      const document = prepareDocument(trusted?.resolve(request) ?? request.query);
      if (isRefused(document)) return document;
      // Everything from here on depends on the request (operation, variables, caller), so it runs every time.
      const operation = getOperationAST(document, request.operationName);
      if (!operation) return [toGraphQLError(new DomainError('BAD_REQUEST', 'Name one operation of the document in operationName'))];
      const contextValue = await admission.admitOperation(operation, reading, onResolved);
      return { schema, document, variableValues: request.variables, operationName: request.operationName, contextValue };
    },
  };
}
