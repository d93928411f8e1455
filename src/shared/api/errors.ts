/**
 * JSON-RPC 2.0 error codes (https://www.jsonrpc.org/specification §5.1) and the application
 * error reasons of The Block. Application errors carry a stable `data.reason` string
 * (names from spec/chain_core.md §4 TxAdmissionError, snake_case).
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  /** Application error: see `data.reason`. */
  Application: -32000,
  /** Mutating method called without a valid `Authorization: Bearer` token. */
  Unauthorized: -32004,
  RateLimited: -32001,
  NotFound: -32010,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Stable application reasons (`error.data.reason`). */
export const Reason = {
  // mempool admission (spec/chain_core.md §4, snake_case of TxAdmissionError)
  unknown_sender: 'unknown_sender',
  insufficient_balance: 'insufficient_balance',
  nonce_gap: 'nonce_gap',
  nonce_too_low: 'nonce_too_low',
  bad_signature: 'bad_signature',
  duplicate: 'duplicate',
  fee_too_low: 'fee_too_low',
  fee_too_large: 'fee_too_large',
  mempool_full: 'mempool_full',
  pending_limit_reached: 'pending_limit_reached',
  balance_overflow: 'balance_overflow',
  wrong_chain_id: 'wrong_chain_id',
  malformed_tx: 'malformed_tx',
  /** A module call whose tag no registered module declares (chain/modules.ts). */
  unknown_tx_kind: 'unknown_tx_kind',
  // general
  not_found: 'not_found',
  unauthorized: 'unauthorized',
  not_ready: 'not_ready',
  dev_only: 'dev_only',
  too_many_subscriptions: 'too_many_subscriptions',
  /** A local file (wallet key…) is damaged; `data.path` names it. */
  key_file_unreadable: 'key_file_unreadable',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** One field-level problem, as returned in −32602 `data.issues`. */
export interface ParamIssue {
  path: (string | number)[];
  message: string;
}

export interface RpcErrorData {
  reason?: string;
  issues?: ParamIssue[];
  [k: string]: unknown;
}

/** An error that crosses the API boundary as a JSON-RPC error object. Never carries internal exception text. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: RpcErrorData,
  ) {
    super(message);
    this.name = 'RpcError';
  }
  toJSON(): { code: number; message: string; data?: RpcErrorData } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
  /** Application error with a stable reason string. */
  static app(reason: Reason | string, message: string, extra?: Record<string, unknown>): RpcError {
    return new RpcError(ErrorCode.Application, message, { reason, ...extra });
  }
  static notFound(message: string): RpcError {
    return new RpcError(ErrorCode.NotFound, message, { reason: Reason.not_found });
  }
  static invalidParams(issues: ParamIssue[], message = 'invalid params'): RpcError {
    return new RpcError(ErrorCode.InvalidParams, message, { issues });
  }
}
