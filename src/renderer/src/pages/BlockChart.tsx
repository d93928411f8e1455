/** Live chart of block intervals (line, ms) and transactions per second (bars) over the last 10 minutes. */
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useMemo } from 'react';
import { fmtAxisMs, toChartPoints, useBlocks } from '../store/blocks';
import { fmtInt } from '../format';

export function BlockChart() {
  const points = useBlocks((s) => s.points);
  const data = useMemo(() => toChartPoints(points), [points]);
  if (points.length < 2) {
    return (
      <div className="chart chart--empty" data-testid="block-chart">
        Waiting for blocks…
      </div>
    );
  }
  const intervals = points.map((p) => p.interval_ms).filter((v): v is number => v !== null);
  const avg = intervals.length ? intervals.reduce((a, b) => a + b, 0) / intervals.length : 0;
  const txs = points.reduce((a, p) => a + p.txs, 0);
  const span = (points[points.length - 1].ts - points[0].ts) / 1000;
  return (
    <div className="chart" data-testid="block-chart" data-points={points.length}>
      <div className="chart__legend">
        <span className="legend legend--interval">block interval (ms)</span>
        <span className="legend legend--tps">tx/s</span>
        <span className="chart__summary">
          avg interval <b>{intervals.length ? `${Math.round(avg)} ms` : '—'}</b> · {fmtInt(txs)} txs in {Math.round(span)} s · {fmtInt(points.length)} blocks
        </span>
      </div>
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid className="chart__grid" vertical={false} yAxisId="ms" />
          <XAxis dataKey="height" tickFormatter={(h: number) => `#${h}`} minTickGap={40} className="chart__axis" tickLine={false} />
          <YAxis yAxisId="ms" width={52} tickFormatter={fmtAxisMs} tick={{ className: "chart__tick-ms" }} className="chart__axis" tickLine={false} axisLine={false} domain={[0, (max: number) => Math.max(1500, Math.ceil(max / 500) * 500)]} />
          <YAxis yAxisId="tps" orientation="right" width={36} className="chart__axis" tickLine={false} axisLine={false} allowDecimals={false} />
          <Tooltip
            wrapperClassName="chart__tooltip"
            labelFormatter={(_h, items) => {
              const p = items?.[0]?.payload as { from: number; height: number } | undefined;
              return !p ? '' : p.from === p.height ? `block #${p.height}` : `blocks #${p.from}–#${p.height}`;
            }}
            formatter={(v, name) => (name === 'interval_ms' ? [`${v} ms`, 'interval'] : [Number(v).toFixed(1), 'tx/s'])}
            isAnimationActive={false}
          />
          <Bar yAxisId="tps" dataKey="tps" className="chart__bar" isAnimationActive={false} maxBarSize={6} />
          <Line yAxisId="ms" dataKey="interval_ms" className="chart__line" dot={false} isAnimationActive={false} connectNulls strokeWidth={1.6} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
