/**
 * Transitions of each gate over epochs (recharts scatter): one row per gate, a dot per decision at
 * its creation epoch, coloured by the state it moved to; a line marks the current epoch.
 */
import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { GATE_NAMES, type GateState, type IntentSummary } from '../../../shared/api/governor';

const COLOR: Record<GateState, string> = { active: 'var(--ok)', inactive: 'var(--muted)', rehearsal: 'var(--warn)', trade: 'var(--accent)' };

interface Point {
  epoch: number;
  row: number;
  gate: string;
  label: string;
  to: GateState;
}

export function Timeline({ decisions, epoch }: { decisions: IntentSummary[]; epoch: number | undefined }) {
  const points: Point[] = decisions.map((d) => ({ epoch: d.created_epoch, row: GATE_NAMES.indexOf(d.gate), gate: d.gate, label: `${d.from_state} → ${d.to_state} (applies at ${d.epoch_apply})`, to: d.to_state }));
  const maxEpoch = Math.max(epoch ?? 0, ...points.map((p) => p.epoch));
  const minEpoch = Math.max(0, Math.min(maxEpoch - 20, ...points.map((p) => p.epoch)));
  const byState = (['active', 'inactive', 'rehearsal', 'trade'] as const).map((s) => ({ s, data: points.filter((p) => p.to === s) }));
  return (
    <div className="chart" data-testid="governor-timeline" data-points={points.length}>
      <div className="chart__legend">
        {byState.map(({ s }) => (
          <span key={s} className={`legend legend--gstate legend--${s}`}>
            → {s}
          </span>
        ))}
        <span className="chart__summary">{points.length === 0 ? 'no transitions yet' : `${points.length} transition(s)`}</span>
      </div>
      <ResponsiveContainer width="100%" height={230}>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid className="chart__grid" horizontal vertical={false} />
          <XAxis type="number" dataKey="epoch" name="epoch" domain={[minEpoch, maxEpoch + 1]} allowDecimals={false} className="chart__axis" tickLine={false} tickFormatter={(e: number) => `e${e}`} />
          <YAxis
            type="number"
            dataKey="row"
            name="gate"
            domain={[-0.5, GATE_NAMES.length - 0.5]}
            ticks={GATE_NAMES.map((_, i) => i)}
            tickFormatter={(i: number) => GATE_NAMES[i]?.replace('ad_targeting_', 'ad_') ?? ''}
            reversed
            width={110}
            className="chart__axis"
            tickLine={false}
            axisLine={false}
            interval={0}
          />
          {epoch !== undefined && <ReferenceLine x={epoch} stroke="var(--border-strong)" strokeDasharray="4 3" label={{ value: 'now', position: 'top', fill: 'var(--muted)', fontSize: 11 }} />}
          <Tooltip
            wrapperClassName="chart__tooltip"
            isAnimationActive={false}
            content={({ payload }) => {
              const p = payload?.[0]?.payload as Point | undefined;
              return p ? (
                <div className="recharts-default-tooltip">
                  <b>{p.gate}</b> · epoch {p.epoch}
                  <br />
                  {p.label}
                </div>
              ) : null;
            }}
          />
          {byState.map(({ s, data }) => (
            <Scatter key={s} data={data} fill={COLOR[s]} isAnimationActive={false} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
