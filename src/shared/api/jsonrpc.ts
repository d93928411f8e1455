/** JSON-RPC 2.0 envelopes (https://www.jsonrpc.org/specification). */

/** Method name of subscription notifications (payloads: events.ts; here so a host can name it without loading every topic's schema). */
export const SUBSCRIPTION_METHOD = 'subscription';
export type JsonRpcId = string | number | null;
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
  id?: JsonRpcId;
}
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcErrorObject };
