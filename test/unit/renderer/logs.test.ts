// Log tail store: bounded ring, pause/resume with a count of missed lines, filters.
import { beforeEach, describe, expect, it } from 'vitest';
import { fieldsText, filterLogs, MAX_LINES, useLogs } from '../../../src/renderer/src/store/logs.js';

const line = (msg: string, level = 30, fields?: Record<string, unknown>) => ({ level, time: 1, msg, ...(fields ? { fields } : {}) });

beforeEach(() => useLogs.setState({ lines: [], frozen: null, missed: 0, level: 'all', search: '' }));

describe('log tail', () => {
  it('keeps the last MAX_LINES lines', () => {
    for (let i = 0; i < MAX_LINES + 25; i++) useLogs.getState().add(line(`m${i}`));
    const { lines } = useLogs.getState();
    expect(lines).toHaveLength(MAX_LINES);
    expect(lines[0].msg).toBe('m25');
    expect(lines[lines.length - 1].msg).toBe(`m${MAX_LINES + 24}`);
  });

  it('freezes the view while paused and counts what arrived', () => {
    const s = useLogs.getState();
    s.add(line('a'));
    s.pause();
    s.add(line('b'));
    s.add(line('c'));
    expect(useLogs.getState().frozen!.map((l) => l.msg)).toEqual(['a']);
    expect(useLogs.getState().missed).toBe(2);
    useLogs.getState().resume();
    expect(useLogs.getState()).toMatchObject({ frozen: null, missed: 0 });
    expect(useLogs.getState().lines.map((l) => l.msg)).toEqual(['a', 'b', 'c']);
  });

  it('filters by minimum level and searches messages and fields, case-insensitively', () => {
    const s = useLogs.getState();
    s.add(line('block', 30, { height: 12, hash: 'abc' }));
    s.add(line('peer slow', 40));
    s.add(line('disk failed', 50, { path: '/data dir ü' }));
    const all = useLogs.getState().lines;
    expect(filterLogs(all, 'warn', '').map((l) => l.msg)).toEqual(['peer slow', 'disk failed']);
    expect(filterLogs(all, 'all', 'HEIGHT=12').map((l) => l.msg)).toEqual(['block']);
    expect(filterLogs(all, 'error', 'ü').map((l) => l.msg)).toEqual(['disk failed']);
    expect(fieldsText(line('x', 30, { a: 1, b: { c: 'd' }, s: 'two words' }))).toBe('a=1 b={"c":"d"} s=two words');
  });
});
