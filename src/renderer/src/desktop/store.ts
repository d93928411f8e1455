/**
 * The notification center's client side (zustand): the list from `app.notifications`, kept
 * current by `app.notification` events (a de-duplicated raise updates its entry in place), the
 * panel's open state, and the toasts of new alerts (warn/error, shown for 8 s; the entry stays
 * in the center); alerts are throttled per kind by the host.
 */
import { create } from 'zustand';
import type { Notification } from '../../../shared/api/desktop';

interface NotifState {
  items: Notification[];
  open: boolean;
  toasts: Notification[];
  setAll(items: Notification[]): void;
  upsert(n: Notification): void;
  setOpen(open: boolean): void;
  markAllRead(): void;
  remove(ids: string[]): void;
  dropToast(id: string): void;
}

export const useNotifications = create<NotifState>((set) => ({
  items: [],
  open: false,
  toasts: [],
  setAll: (items) => set({ items }),
  upsert: (n) =>
    set((s) => {
      const i = s.items.findIndex((x) => x.id === n.id);
      const items = i >= 0 ? s.items.map((x) => (x.id === n.id ? n : x)) : [n, ...s.items].slice(0, 200);
      // A new warning or error the host chose to alert about (outside its kind's throttle) pops
      // up once; de-duplicated raises only update the list.
      const toast = i < 0 && n.alert === true && n.severity !== 'info' && n.kind !== 'backup_failed';
      return { items, toasts: toast ? [...s.toasts.slice(-2), n] : s.toasts };
    }),
  setOpen: (open) => set({ open }),
  markAllRead: () => set((s) => ({ items: s.items.map((x) => ({ ...x, read: true })) })),
  remove: (ids) => set((s) => ({ items: s.items.filter((x) => !ids.includes(x.id)) })),
  dropToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export const unreadOf = (items: Notification[]) => items.filter((n) => !n.read).length;
