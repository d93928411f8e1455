/**
 * The console's page list — the one place a page is switched on. The navigation (order, labels,
 * icons, `data-testid="nav-<id>"`), the page shown for the URL's `page=<id>`, the page-id type
 * (`PageId` in store/ui.ts) and the live hooks mounted at the root all derive from it.
 *
 * Adding a page: a component (and its `Glyph`) in its feature folder, then one line below.
 * `live` hooks run for the whole session, whichever page is shown (they write pushed events
 * into the cache and drive the notifications), in list order — the list is constant, so React's
 * rule of hooks holds.
 */
import { lazy, type ComponentType } from 'react';
import { DASHBOARD_UIDS } from '../../../shared/monitoring';
import type { Glyph } from '../components/Icon';
import { useAdMarketLive } from '../ad_market/live';
import { useBackupLive } from '../backup/live';
import { useGovernorLive } from '../governor/live';
import { useNamesLive } from '../names/live';
import { useEnergyLive } from '../energy/live';
import { useNetworkLive } from '../network/live';
import { useTreasuryLive } from '../treasury/live';
import type { PageId } from '../store/ui';
import { adMarketIcon, backupIcon, deadlinesIcon, energyIcon, governorIcon, logsIcon, namesIcon, networkIcon, overviewIcon, settingsIcon, treasuryIcon } from './icons';
import { Overview } from './Overview';

/**
 * A page whose code loads when it is first shown (its own chunk; App.tsx shows a placeholder
 * meanwhile): the first paint waits only for the shell and the Overview (issue 17, first live
 * height). `load` names the module's export of the page.
 */
function later<M>(load: () => Promise<M>, pick: (m: M) => ComponentType): ComponentType {
  return lazy(async () => ({ default: pick(await load()) }));
}

const AdMarket = later(() => import('./AdMarket'), (m) => m.AdMarket);
const Backup = later(() => import('./Backup'), (m) => m.Backup);
const Deadlines = later(() => import('./Deadlines'), (m) => m.Deadlines);
const Energy = later(() => import('./Energy'), (m) => m.Energy);
const Governor = later(() => import('./Governor'), (m) => m.Governor);
const Logs = later(() => import('./Logs'), (m) => m.Logs);
const Names = later(() => import('./Names'), (m) => m.Names);
const Network = later(() => import('./Network'), (m) => m.Network);
const Settings = later(() => import('./Settings'), (m) => m.Settings);
const Treasury = later(() => import('./Treasury'), (m) => m.Treasury);

export interface PageEntry<Id extends string = string> {
  /** URL `page=<id>`, `data-testid="nav-<id>"`. Lowercase, stable: links and tests use it. */
  id: Id;
  /** Navigation label and page title. */
  label: string;
  icon: Glyph;
  Page: ComponentType;
  /** Hooks mounted once at the app root (subscriptions that feed this page and its notifications). */
  live?: readonly (() => void)[];
  /** Uid of the generated Grafana dashboard of this page (`npm run monitor`); the header links to it when a Grafana address is set. */
  dashboard?: string;
}

export const PAGES = [
  { id: 'overview', label: 'Overview', icon: overviewIcon, Page: Overview, dashboard: DASHBOARD_UIDS.nodeHealth },
  { id: 'network', label: 'Network & Sync', icon: networkIcon, Page: Network, live: [useNetworkLive], dashboard: DASHBOARD_UIDS.networkConsensus },
  { id: 'governor', label: 'Governor', icon: governorIcon, Page: Governor, live: [useGovernorLive], dashboard: DASHBOARD_UIDS.governor },
  { id: 'treasury', label: 'Treasury', icon: treasuryIcon, Page: Treasury, live: [useTreasuryLive], dashboard: DASHBOARD_UIDS.treasury },
  { id: 'ad-market', label: 'Ad Market', icon: adMarketIcon, Page: AdMarket, live: [useAdMarketLive], dashboard: DASHBOARD_UIDS.ad_market },
  { id: 'deadlines', label: 'Deadlines', icon: deadlinesIcon, Page: Deadlines },
  { id: 'names', label: 'Names', icon: namesIcon, Page: Names, live: [useNamesLive], dashboard: DASHBOARD_UIDS.dns },
  { id: 'energy', label: 'Energy', icon: energyIcon, Page: Energy, live: [useEnergyLive], dashboard: DASHBOARD_UIDS.energy },
  { id: 'backup', label: 'Backup & Restore', icon: backupIcon, Page: Backup, live: [useBackupLive], dashboard: DASHBOARD_UIDS.backups },
  { id: 'logs', label: 'Logs', icon: logsIcon, Page: Logs },
  { id: 'settings', label: 'Settings', icon: settingsIcon, Page: Settings },
] as const satisfies readonly PageEntry[];

declare module '../store/ui' {
  interface PageRegister {
    id: (typeof PAGES)[number]['id'];
  }
}

const FIRST: PageEntry<PageId> = PAGES[0];

/** The entry of a page id; an unknown or absent id (a hand-edited URL) gives the first page. */
export function pageEntry(id: PageId | string | undefined): PageEntry<PageId> {
  return PAGES.find((p) => p.id === id) ?? FIRST;
}

/** True for the first page (shown when the URL names none). */
export function isFirstPage(id: PageId): boolean {
  return id === FIRST.id;
}

/** Mounts every page's live hooks, in list order. Call once, at the app root. */
export function usePageLiveHooks(): void {
  for (const p of PAGES) for (const hook of ('live' in p ? p.live : [])) hook();
}
