/** App shell: sidebar navigation (from pages/registry.tsx), header with the node status, connection and crash banners, wallet drawer. */
import type { ReactNode } from 'react';
import { rpc } from '../api/hooks';
import { bridge } from '../api/client';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import { isFirstPage, pageEntry, PAGES } from '../pages/registry';
import { fmtInt } from '../format';
import { PhaseBadge } from './PhaseBadge';
import { CrashBanner } from './CrashBanner';
import { NodeNotices } from './NodeNotices';
import { RestoreNotice } from '../backup/Notices';
import { Icon } from './Icon';
import { NotificationBell } from '../desktop/NotificationCenter';
import { useSidebar } from './sidebar';
import { GrafanaLink } from '../monitoring/GrafanaLink';

function ConnectionBanner() {
  const conn = useLive((s) => s.connection);
  if (conn !== 'reconnecting') return null;
  return (
    <div className="banner banner--warn" role="alert" data-testid="connection-banner" data-state={conn}>
      <div className="banner__main">
        <strong className="banner__title">Disconnected</strong>
        <span className="banner__text">Lost the connection to the console; reconnecting…</span>
      </div>
    </div>
  );
}

/** Shown instead of the pages when the console will not take this page's token: there is nothing to show. */
function AccessRefused({ state }: { state: 'refused' | 'no_token' }) {
  return (
    <div className="access" role="alert" data-testid="connection-banner" data-state={state}>
      <div className="access__card">
        <h2>{state === 'refused' ? 'Access refused' : 'No access token'}</h2>
        <p>
          {state === 'refused'
            ? 'The console refused the token in this page’s address. A new token is made every time the console starts, so old links stop working.'
            : 'This page was opened without the console’s access token.'}
        </p>
        <p>
          Open the address the console printed when it started — it looks like <code>http://127.0.0.1:PORT/#token=…</code> — or run{' '}
          <code>npm start</code> / <code>contract-cli console</code> again.
        </p>
      </div>
    </div>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const page = pageEntry(useUi((s) => s.page)).id;
  const setPage = useUi((s) => s.setPage);
  const setWalletOpen = useUi((s) => s.setWalletOpen);
  const conn = useLive((s) => s.connection);
  const status = rpc['node.status'].useQuery(undefined, { enabled: conn === 'open' });
  const tip = rpc['chain.tip'].useQuery(undefined, { enabled: conn === 'open' });
  const title = pageEntry(page).label;
  const [collapsed, toggleSidebar] = useSidebar();
  return (
    <div className={`app ${collapsed ? 'app--collapsed' : ''}`}>
      <nav className="sidebar" aria-label="Main" data-testid="sidebar" data-collapsed={collapsed}>
        <div className="brand">
          <div className="brand__mark" aria-hidden>
            B
          </div>
          <div className="brand__text">
            <div className="brand__name">The Block</div>
            <div className="brand__sub">Operator Console</div>
          </div>
        </div>
        <ul className="nav">
          {PAGES.map((p) => (
            <li key={p.id}>
              <button className={`nav__item ${page === p.id ? 'nav__item--active' : ''}`} onClick={() => setPage(p.id, isFirstPage(p.id))} data-testid={`nav-${p.id}`} title={collapsed ? p.label : undefined} aria-label={p.label} aria-current={page === p.id ? 'page' : undefined}>
                <Icon name={p.icon} />
                <span className="nav__label">{p.label}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar__foot">
          <button className="nav__item" onClick={() => setWalletOpen(true)} data-testid="open-wallet" title={collapsed ? 'Wallet' : undefined} aria-label="Wallet">
            <Icon name="wallet" />
            <span className="nav__label">Wallet</span>
          </button>
          <button className="nav__item sidebar__toggle" onClick={toggleSidebar} data-testid="sidebar-toggle" aria-expanded={!collapsed} aria-label={collapsed ? 'Expand the sidebar' : 'Collapse the sidebar'} title={collapsed ? 'Expand the sidebar' : 'Collapse the sidebar'}>
            <span className="sidebar__chevron" aria-hidden>
              {collapsed ? '»' : '«'}
            </span>
            <span className="nav__label">Collapse</span>
          </button>
          <div className="sidebar__mode" data-testid="app-mode">
            {bridge.mode === 'electron' ? 'Desktop app' : 'Console server mode'}
            {status.data ? ` · v${status.data.version}` : ''}
          </div>
        </div>
      </nav>
      <div className="main">
        <header className="topbar">
          <h1 className="topbar__title">{title}</h1>
          <div className="topbar__facts">
            {status.data && (
              <span className="fact" data-testid="topbar-network">
                {status.data.network} · chain {status.data.chain_id}
              </span>
            )}
            {tip.data && (
              <span className="fact fact--mono" data-testid="topbar-height">
                #{fmtInt(tip.data.height)}
              </span>
            )}
            <GrafanaLink uid={pageEntry(page).dashboard} />
            <PhaseBadge />
            <NotificationBell />
          </div>
        </header>
        <div className="banners">
          <ConnectionBanner />
          <CrashBanner />
          <NodeNotices />
          <RestoreNotice />
        </div>
        <main className="content">{conn === 'refused' || conn === 'no_token' ? <AccessRefused state={conn} /> : children}</main>
      </div>
    </div>
  );
}
