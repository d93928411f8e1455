// The console's page list (src/renderer/src/pages/registry.tsx): the shell, the URL page and the
// page-id type derive from it, so its entries must be well-formed and unknown ids must fall back.
import { beforeAll, describe, expect, it } from 'vitest';

// The renderer is typechecked by tsconfig.web.json (JSX, DOM); this Node-side test sees the list
// through the shape it checks, so tsconfig.node.json does not pull the pages in.
const REGISTRY = '../../../src/renderer/src/pages/registry.js';
interface Entry {
  id: string;
  label: string;
  icon: { d: string };
  Page: unknown;
  live?: readonly unknown[];
}
interface Registry {
  PAGES: readonly Entry[];
  pageEntry(id: string | undefined): Entry;
  isFirstPage(id: string): boolean;
}
let reg: Registry;

beforeAll(async () => {
  // The pages import the bridge, which picks `window.tb` at import time; nothing is called here.
  const refuse = () => {
    throw new Error('the page list must not call the node at import');
  };
  (globalThis as { window?: unknown }).window = { tb: { call: refuse, subscribe: refuse, app: {} } };
  reg = (await import(/* @vite-ignore */ REGISTRY)) as Registry;
});

describe('page registry', () => {
  it('has unique, URL-safe ids, a label, an icon and a component per page', () => {
    const ids = reg.PAGES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of reg.PAGES) {
      expect(p.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(p.label.trim()).not.toBe('');
      expect(p.icon.d).toMatch(/^M/);
      // A component, or a React.lazy one (pages other than the first load on first show).
      expect(typeof p.Page === 'function' || (p.Page as { $$typeof?: symbol }).$$typeof === Symbol.for('react.lazy')).toBe(true);
      for (const hook of p.live ?? []) expect(typeof hook).toBe('function');
    }
  });

  it('keeps the pages the operators and the end-to-end tests know, in their order, Overview first (a new page needs no edit here)', () => {
    const known = ['overview', 'network', 'governor', 'treasury', 'ad-market', 'deadlines', 'names', 'backup', 'logs', 'settings'];
    expect(reg.PAGES.map((p) => p.id).filter((id) => known.includes(id))).toEqual(known);
    expect(reg.PAGES[0].id).toBe('overview');
    expect(reg.isFirstPage('overview')).toBe(true);
    expect(reg.isFirstPage('logs')).toBe(false);
  });

  it('resolves an absent or unknown URL page to the first page', () => {
    expect(reg.pageEntry(undefined).id).toBe('overview');
    expect(reg.pageEntry('no-such-page').id).toBe('overview');
    expect(reg.pageEntry('__proto__').id).toBe('overview');
    expect(reg.pageEntry('governor').label).toBe('Governor');
  });
});
