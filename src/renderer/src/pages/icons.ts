/**
 * The pages' navigation icons (components/Icon.tsx Glyph), apart from the pages themselves: the
 * navigation is drawn at once while each page's code loads when it is first shown
 * (registry.ts: React.lazy, issue 17 — the Overview's chunk is the only one the first paint waits for).
 */
import type { Glyph } from '../components/Icon';

export const adMarketIcon: Glyph = { d: 'M4 19V9m5 10V5m5 14v-7m5 7V8' };
export const backupIcon: Glyph = { d: 'M4 7c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zm0 0v10c0 1.7 3.6 3 8 3s8-1.3 8-3V7M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3' };
export const deadlinesIcon: Glyph = { d: 'M12 21a8 8 0 1 0 0-16 8 8 0 0 0 0 16zm0-12v4l2.5 2.5M9 2h6' };
export const energyIcon: Glyph = { d: 'M13 2L4 14h7l-1 8 9-12h-7z' };
export const governorIcon: Glyph = { d: 'M12 3l8 3v6c0 4.5-3.4 8.2-8 9-4.6-.8-8-4.5-8-9V6l8-3zm-3.5 9l2.5 2.5 4.5-5' };
export const logsIcon: Glyph = { d: 'M4 6h16M4 10h16M4 14h10M4 18h7' };
export const namesIcon: Glyph = { d: 'M4 5h16v4H4zM4 11h10v4H4zM4 17h7v2H4zm13-4l4 4-4 4' };
export const networkIcon: Glyph = { d: 'M12 5a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM5 21a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm14 0a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM12 5v6m0 0l-6 6.5M12 11l6 6.5M7 19h10' };
export const overviewIcon: Glyph = { d: 'M3 13h8V3H3v10zm0 8h8v-6H3v6zm10 0h8V11h-8v10zm0-18v6h8V3h-8z', filled: true };
export const settingsIcon: Glyph = { d: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.3l2-1.6-2-3.4-2.4 1a7.5 7.5 0 0 0-2.2-1.3L14.3 3h-4l-.4 2.4a7.5 7.5 0 0 0-2.2 1.3l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.6l-2 1.6 2 3.4 2.4-1c.7.5 1.4 1 2.2 1.3l.4 2.4h4l.4-2.4c.8-.3 1.5-.8 2.2-1.3l2.4 1 2-3.4-2-1.6c.1-.4.1-.9.1-1.3z' };
export const treasuryIcon: Glyph = { d: 'M3 10l9-6 9 6M5 10v8m4-8v8m6-8v8m4-8v8M3 20h18' };
