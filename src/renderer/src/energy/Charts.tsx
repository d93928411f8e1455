/** kWh traded (bars) and average paid price per kWh (line) per settlement block. */
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EnergyMarketState } from '../../../shared/api/energy';
import { series } from './model';

export function EnergyChart({ market }: { market: EnergyMarketState }) {
  const data = series(market);
  if (data.length === 0)
    return (
      <div className="chart chart--empty" data-testid="energy-chart">
        No settlements yet.
      </div>
    );
  return (
    <div className="chart" data-testid="energy-chart" data-points={data.length}>
      <div className="chart__legend">
        <span className="legend legend--tps">kWh traded</span>
        <span className="legend legend--interval">avg price / kWh</span>
      </div>
      <ResponsiveContainer width="100%" height={200}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid className="chart__grid" vertical={false} yAxisId="kwh" />
          <XAxis dataKey="block" tickFormatter={(h: number) => `#${h}`} minTickGap={30} className="chart__axis" tickLine={false} />
          <YAxis yAxisId="kwh" width={48} className="chart__axis" tickLine={false} axisLine={false} allowDecimals={false} />
          <YAxis yAxisId="price" orientation="right" width={40} className="chart__axis" tickLine={false} axisLine={false} />
          <Tooltip wrapperClassName="chart__tooltip" labelFormatter={(h) => `block #${h}`} isAnimationActive={false} />
          <Bar yAxisId="kwh" dataKey="kwh" className="chart__bar" isAnimationActive={false} maxBarSize={14} />
          <Line yAxisId="price" dataKey="price" className="chart__line" dot isAnimationActive={false} strokeWidth={1.6} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
