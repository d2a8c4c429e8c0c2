import { currentRequest } from '../../requestContext';
import type { FormatError } from '../masking';

/**
 * Every error a client gets, over HTTP or WebSocket, names the request it belongs to in
 * `extensions.requestId`: the id in the `x-request-id` header and in every log line of the request.
 */
export function withRequestId(formatError: FormatError): FormatError {
  return (formatted, error) => {
    const result = formatError(formatted, error);
    const requestId = currentRequest()?.requestId;
    return requestId === undefined ? result : { ...result, extensions: { ...result.extensions, requestId } };
  };
}
