/**
 * The notification center in the header (both modes): a bell with the unread count; its panel
 * lists every notice newest first (kind, time, how often it was raised, the page that helps),
 * with "Mark all read" and per-entry dismiss. New warnings and errors also pop up as toasts for
 * 8 s. Untrusted text (reasons, paths) is rendered as text.
 */
import { useEffect } from 'react';
import type { Notification } from '../../../shared/api/desktop';
import { call } from '../api/client';
import { useUi, type PageId } from '../store/ui';
import { unreadOf, useNotifications } from './store';
import './desktop.css';

function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString('en-GB') : d.toLocaleString('en-GB');
}

function Entry({ n }: { n: Notification }) {
  const setPage = useUi((s) => s.setPage);
  const setOpen = useNotifications((s) => s.setOpen);
  const remove = useNotifications((s) => s.remove);
  const go = n.page as PageId | undefined;
  return (
    <li
      className={`notif notif--${n.severity} ${n.read ? '' : 'notif--unread'}`}
      data-testid="notif-item"
      data-kind={n.kind}
    >
      <div className="notif__head">
        <span className="notif__title" data-testid="notif-title">
          {n.title}
        </span>
        {n.count > 1 && (
          <span className="notif__count" data-testid="notif-repeat" title="raised again while open">
            ×{n.count}
          </span>
        )}
      </div>
      <div className="notif__body">{n.body}</div>
      <div className="notif__meta">
        <span>{when(n.last_ms)}</span>
        {go && (
          <button
            className="btn btn--ghost btn--small"
            onClick={() => {
              setPage(go);
              setOpen(false);
            }}
            data-testid="notif-go"
          >
            Open {go}
          </button>
        )}
        <button
          className="btn btn--ghost btn--small"
          onClick={() => {
            remove([n.id]);
            void call('app.notificationsRead', { ids: [n.id], dismiss: true });
          }}
          data-testid="notif-dismiss"
        >
          Dismiss
        </button>
      </div>
    </li>
  );
}

export function NotificationBell() {
  const items = useNotifications((s) => s.items);
  const open = useNotifications((s) => s.open);
  const setOpen = useNotifications((s) => s.setOpen);
  const markAllRead = useNotifications((s) => s.markAllRead);
  const unread = unreadOf(items);
  return (
    <div className="notif-anchor">
      <button
        className={`bell ${unread ? 'bell--unread' : ''}`}
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-label={`Notifications (${unread} unread)`}
        data-testid="notif-bell"
      >
        <svg
          width="18"
          height="18"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth={1.8}
          strokeLinecap="round"
          strokeLinejoin="round"
          aria-hidden
        >
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 8 3 8H3s3-1 3-8zM10 20a2 2 0 0 0 4 0" />
        </svg>
        {unread > 0 && (
          <span className="bell__count" data-testid="notif-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="notif-panel" role="dialog" aria-label="Notifications" data-testid="notif-panel">
          <div className="notif-panel__head">
            <strong>Notifications</strong>
            <button
              className="btn btn--ghost btn--small"
              disabled={!unread}
              onClick={() => {
                markAllRead();
                void call('app.notificationsRead', {});
              }}
              data-testid="notif-read-all"
            >
              Mark all read
            </button>
            <button
              className="btn btn--ghost btn--small"
              onClick={() => setOpen(false)}
              data-testid="notif-close"
            >
              Close
            </button>
          </div>
          {items.length === 0 ? (
            <div className="notif-panel__empty" data-testid="notif-empty">
              Nothing needs you. Crashes, governor gate changes, low disk, stalled sync, backups and deadlines
              show up here.
            </div>
          ) : (
            <ul className="notif-list">
              {items.map((n) => (
                <Entry key={n.id} n={n} />
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function Toast({ n }: { n: Notification }) {
  const drop = useNotifications((s) => s.dropToast);
  useEffect(() => {
    const t = setTimeout(() => drop(n.id), 8000);
    return () => clearTimeout(t);
  }, [n.id, drop]);
  return (
    <div
      className={`notif-toast notif--${n.severity}`}
      role="alert"
      data-testid="notif-toast"
      data-kind={n.kind}
    >
      <strong>{n.title}</strong>
      <span>{n.body}</span>
      <button className="btn btn--ghost btn--small" onClick={() => drop(n.id)}>
        Close
      </button>
    </div>
  );
}

export function NotificationToasts() {
  const toasts = useNotifications((s) => s.toasts);
  if (!toasts.length) return null;
  return (
    <div className="notif-toasts" aria-live="assertive">
      {toasts.map((n) => (
        <Toast key={n.id} n={n} />
      ))}
    </div>
  );
}
