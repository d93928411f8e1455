/** UI state (zustand): current page, the wallet drawer, and the log file shown after "Open logs". */
import { create } from 'zustand';

export type Page = 'overview' | 'network' | 'governor' | 'backup' | 'logs' | 'settings';

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
  page: 'overview',
  walletOpen: false,
  logFile: null,
  setPage: (page) => set({ page }),
  setWalletOpen: (walletOpen) => set({ walletOpen }),
  setLogFile: (logFile) => set({ logFile }),
}));
