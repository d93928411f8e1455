/** UI state (zustand): current page, the wallet drawer, and the log file shown after "Open logs". */
import { create } from 'zustand';

/**
 * Filled in by pages/registry.tsx through declaration merging (the pattern of TanStack Router's
 * `Register`), so the store and every page that navigates know the page ids without importing the
 * page list — which imports the pages, which import this store.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PageRegister {}

/** A page id of the registry (`'overview' | 'network' | …`). */
export type PageId = PageRegister extends { id: infer I extends string } ? I : string;

/**
 * The page lives in the URL hash beside the token (`#token=…&page=governor`) so a reload keeps it;
 * `#token=…` alone (the printed URL) opens the first page of the registry. Token parsing
 * (`tokenFromHash`) reads the same URLSearchParams and ignores `page`. The hash holds whatever was
 * typed: pages/registry.tsx `pageEntry` resolves an unknown id to the first page.
 */
function pageFromHash(): PageId | undefined {
  if (typeof location === 'undefined') return undefined;
  return (new URLSearchParams(location.hash.replace(/^#/, '')).get('page') ?? undefined) as PageId | undefined;
}

function writePageToHash(page: PageId | undefined): void {
  if (typeof location === 'undefined' || typeof history === 'undefined') return;
  const q = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (page === undefined) q.delete('page');
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
  /** The page shown; `undefined` = the first page of the registry (no `page` in the URL). */
  page: PageId | undefined;
  walletOpen: boolean;
  logFile: LogFileView | null;
  /** Shows a page; the first page of the registry is written as no `page` in the URL. */
  setPage(p: PageId, isFirst?: boolean): void;
  setWalletOpen(open: boolean): void;
  setLogFile(f: LogFileView | null): void;
}

export const useUi = create<UiState>((set) => ({
  page: pageFromHash(),
  walletOpen: false,
  logFile: null,
  setPage: (page, isFirst = false) => {
    const p = isFirst ? undefined : page;
    writePageToHash(p);
    set({ page: p });
  },
  setWalletOpen: (walletOpen) => set({ walletOpen }),
  setLogFile: (logFile) => set({ logFile }),
}));
