/** UI state (zustand): current page, the wallet drawer, and the log file shown after "Open logs". */
import { create } from 'zustand';

export type Page = 'overview' | 'network' | 'governor' | 'deadlines' | 'backup' | 'logs' | 'settings';

const PAGES: readonly Page[] = ['overview', 'network', 'governor', 'deadlines', 'backup', 'logs', 'settings'];

/**
 * The page lives in the URL hash beside the token (`#token=…&page=governor`) so a reload keeps it;
 * `#token=…` alone (the printed URL) opens the Overview. Token parsing (`tokenFromHash`) reads the
 * same URLSearchParams and ignores `page`.
 */
function pageFromHash(): Page {
  if (typeof location === 'undefined') return 'overview';
  const p = new URLSearchParams(location.hash.replace(/^#/, '')).get('page');
  return PAGES.includes(p as Page) ? (p as Page) : 'overview';
}

function writePageToHash(page: Page): void {
  if (typeof location === 'undefined' || typeof history === 'undefined') return;
  const q = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (page === 'overview') q.delete('page');
  else q.set('page', page);
  const hash = q.toString();
  // replaceState: no hashchange event and no history entry per click.
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`);
}

export interface LogFileView {
  path: string;
  opened: boolean;
  tail: string[];
}

interface UiState {
  page: Page;
  walletOpen: boolean;
  logFile: LogFileView | null;
  setPage(p: Page): void;
  setWalletOpen(open: boolean): void;
  setLogFile(f: LogFileView | null): void;
}

export const useUi = create<UiState>((set) => ({
  page: pageFromHash(),
  walletOpen: false,
  logFile: null,
  setPage: (page) => {
    writePageToHash(page);
    set({ page });
  },
  setWalletOpen: (walletOpen) => set({ walletOpen }),
  setLogFile: (logFile) => set({ logFile }),
}));
