/** Governor page UI state (zustand): gate filter, selected decision, and in-app notifications of gate transitions. */
import { create } from 'zustand';
import type { GateChanged, GateName } from '../../../shared/api/governor';

export interface GateToast extends GateChanged {
  key: number;
}

interface GovernorUi {
  gateFilter: GateName | 'all';
  selected: string | null;
  toasts: GateToast[];
  setGateFilter(g: GateName | 'all'): void;
  select(id: string | null): void;
  notify(e: GateChanged): void;
  dismiss(key: number): void;
}

let seq = 0;

export const useGovernorUi = create<GovernorUi>((set) => ({
  gateFilter: 'all',
  selected: null,
  toasts: [],
  setGateFilter: (gateFilter) => set({ gateFilter }),
  select: (selected) => set({ selected }),
  // At most 4 on screen: a burst of decisions must not cover the page.
  notify: (e) => set((s) => ({ toasts: [...s.toasts, { ...e, key: ++seq }].slice(-4) })),
  dismiss: (key) => set((s) => ({ toasts: s.toasts.filter((t) => t.key !== key) })),
}));
