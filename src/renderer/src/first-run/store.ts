/** First-run UI state: re-opened from Settings ("Run first-run setup again") while the node runs. */
import { create } from 'zustand';

interface FirstRunUi {
  reopened: boolean;
  reopen(): void;
  close(): void;
}

export const useFirstRunUi = create<FirstRunUi>((set) => ({
  reopened: false,
  reopen: () => set({ reopened: true }),
  close: () => set({ reopened: false }),
}));
