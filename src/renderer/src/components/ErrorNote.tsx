/** An RPC error shown in place: its message, the stable reason, and field-level issues. Text only. */
import type { RpcError } from '../../../shared/api/errors';
import { toRpcError } from '../transport/errors';

export function ErrorNote({ error, testId, prefix }: { error: unknown; testId?: string; prefix?: string }) {
  if (!error) return null;
  const e: RpcError = toRpcError(error);
  const reason = typeof e.data?.reason === 'string' ? e.data.reason : undefined;
  const issues = Array.isArray(e.data?.issues) ? e.data.issues : [];
  return (
    <div className="error-note" role="alert" data-testid={testId ?? 'error'}>
      <div className="error-note__msg">
        {prefix ? `${prefix}: ` : ''}
        {e.message}
        {reason && <code className="error-note__reason" data-testid="error-reason">{reason}</code>}
      </div>
      {issues.length > 0 && (
        <ul className="error-note__issues">
          {issues.map((i, n) => (
            <li key={n}>
              <code>{i.path.join('.') || 'params'}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
