/**
 * Governor: the launch governor at a glance — a card per gate (state, streaks vs required, last
 * reason, the metrics that drove it), transitions over epochs, pending intents with their apply
 * epoch, the decision list (filter by gate, newest first) and a decision's snapshot with its
 * signature checked by the node and by this console. Live through `governor.gateChanged` and new
 * heads (governor/live.ts).
 */
import { rpc } from '../api/hooks';
import { Card, Stat } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { DecisionDetail } from '../governor/DecisionDetail';
import { DecisionList, PendingIntents } from '../governor/Decisions';
import { GateCard } from '../governor/GateCard';
import { useGovernorUi } from '../governor/store';
import { Timeline } from '../governor/Timeline';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import '../governor/governor.css';

/** The page's icon in the navigation (pages/registry.tsx). */

function Disabled() {
  const setPage = useUi((s) => s.setPage);
  return (
    <Card title="Launch governor" testId="governor-disabled">
      <p>
        The launch governor is <b>disabled</b> on this node.
      </p>
      <p data-testid="governor-enable-hint">
        In this console: Settings → <b>Launch governor: On</b>, Save, then <b>Restart node now</b>.{' '}
        <button className="btn btn--ghost" onClick={() => setPage('settings')} data-testid="governor-open-settings">
          Open settings
        </button>
      </p>
      <p className="muted">
        Headless (<code>contract-cli node start</code>): start the node with <code>TB_GOVERNOR_ENABLED=1</code> (optionally <code>TB_GOVERNOR_SIGN=1</code> with <code>TB_NODE_KEY_HEX</code>,{' '}
        <code>TB_GOVERNOR_WINDOW_SECS</code>, <code>TB_GOVERNOR_SHADOW_ONLY=0</code>) or set <code>governor_enabled = true</code> in <code>config/node.toml</code>.
      </p>
    </Card>
  );
}

export function Governor() {
  const on = useLive((s) => s.connection) === 'open';
  const status = rpc['governor.status'].useQuery(undefined, { enabled: on });
  const decisions = rpc['governor.decisions'].useQuery({ limit: 500 }, { enabled: on });
  const selected = useGovernorUi((s) => s.selected);
  const st = status.data;
  if (st?.status === 'disabled')
    return (
      <div className="page" data-testid="page-governor">
        <Disabled />
      </div>
    );
  const list = decisions.data ?? [];
  const chosen = list.find((d) => d.id === selected) ?? list[0];
  const enabled = st?.status === 'enabled' ? st : undefined;
  const required = enabled?.gates[0]?.streak_required;
  return (
    <div className="page" data-testid="page-governor">
      <div className="stats">
        <Stat label="Epoch" value={enabled?.epoch ?? '—'} sub={enabled ? `height ${enabled.height}` : undefined} testId="gov-epoch" />
        <Stat label="Window" value={enabled ? `${enabled.window_secs} s` : '—'} sub={enabled ? `epoch ${enabled.epoch_secs} s` : undefined} testId="gov-window" />
        <Stat label="Streak" value={required ?? '—'} sub="windows needed to move" testId="gov-required" />
        <Stat label="Mode" value={enabled ? (enabled.shadow_only ? 'Shadow' : 'Apply') : '—'} sub={enabled?.shadow_only ? 'records, never submits' : 'intents go on chain'} testId="gov-mode" tone={enabled?.shadow_only ? 'warn' : undefined} />
        <Stat label="Signing" value={enabled ? (enabled.signing.enabled ? 'On' : 'Off') : '—'} sub={enabled?.signing.pubkey_hex ? `key ${enabled.signing.pubkey_hex.slice(0, 10)}…` : 'no .sig sidecars'} testId="gov-signing" />
        <Stat label="Pending" value={enabled?.pending.filter((p) => p.state === 'pending').length ?? '—'} sub={enabled ? `params in force: ${Object.keys(enabled.params).length}` : undefined} testId="gov-pending" />
      </div>
      <ErrorNote error={status.error} testId="governor-error" />

      <div className="gates" data-testid="gate-cards">
        {enabled?.gates.map((g) => <GateCard key={g.name} g={g} />)}
      </div>

      <div className="grid-2">
        <Card title="Transitions over epochs" testId="timeline-card">
          <Timeline decisions={list} epoch={enabled?.epoch} />
        </Card>
        <Card title="Pending intents" testId="pending-card">
          <PendingIntents pending={enabled?.pending ?? []} epoch={enabled?.epoch} />
          {enabled && Object.keys(enabled.params).length > 0 && (
            <div className="params" data-testid="params-in-force">
              <div className="section-title">In force on chain</div>
              <code className="mono">{JSON.stringify(enabled.params)}</code>
            </div>
          )}
        </Card>
      </div>

      <div className="gov-split">
        <Card title="Decisions" testId="decisions-card">
          <DecisionList decisions={list} />
          <ErrorNote error={decisions.error} />
        </Card>
        <Card title={chosen ? `Decision ${chosen.id}` : 'Decision'} testId="detail-card">
          {chosen ? <DecisionDetail d={chosen} /> : <p className="muted">Select a decision to see its snapshot and signature.</p>}
        </Card>
      </div>
    </div>
  );
}
