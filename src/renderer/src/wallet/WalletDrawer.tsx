/**
 * The Wallet drawer: local keys with balances (`wallet.list`); create a key (`wallet.create`);
 * receive with the selected key (address, copy, QR); its transfers in and out (`wallet.history`);
 * the transfer form. No step needs a terminal.
 */
import { useEffect, useState } from 'react';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { Icon } from '../components/Icon';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import { fmtInt, shortHash } from '../format';
import { TransferForm } from './TransferForm';
import { CreateKey } from './CreateKey';
import { History } from './History';
import { Receive } from './Receive';
import './wallet.css';

export function WalletDrawer() {
  const open = useUi((s) => s.walletOpen);
  const setOpen = useUi((s) => s.setWalletOpen);
  const conn = useLive((s) => s.connection);
  const keys = rpc['wallet.list'].useQuery(undefined, { enabled: open && conn === 'open' });
  const [from, setFrom] = useState('');

  const wallets = keys.data?.wallets;
  const unreadable = keys.data?.unreadable ?? [];
  useEffect(() => {
    const list = wallets ?? [];
    if (list.length && !list.some((k) => k.name === from)) setFrom(list.find((k) => k.name === 'faucet')?.name ?? list[0].name);
  }, [wallets, from]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);

  const selected = wallets?.find((k) => k.name === from);
  if (!open) return null;
  return (
    <div className="drawer-layer">
      <div className="drawer-scrim" onClick={() => setOpen(false)} />
      <aside className="drawer" role="dialog" aria-label="Wallet" data-testid="wallet-drawer">
        <header className="drawer__head">
          <h2>Wallet</h2>
          <button className="btn btn--icon" onClick={() => setOpen(false)} aria-label="Close wallet" data-testid="close-wallet">
            <Icon name="close" />
          </button>
        </header>
        <div className="drawer__body">
          <section>
            <h3 className="section-title">Local keys</h3>
            <ErrorNote error={keys.error} testId="wallet-error" />
            <ul className="keys" data-testid="wallet-keys">
              {(wallets ?? []).map((k) => (
                <li key={k.name} className={`key ${k.name === from ? 'key--selected' : ''}`} data-testid={`wallet-key-${k.name}`} onClick={() => setFrom(k.name)}>
                  <div className="key__name">
                    {k.name}
                    {k.name === 'faucet' && <span className="tag">dev faucet</span>}
                  </div>
                  <div className="key__addr mono" title={k.address}>
                    {shortHash(k.address, 10)}
                  </div>
                  <div className="key__balance mono" data-testid={`wallet-balance-${k.name}`}>
                    {fmtInt(k.balance)}
                  </div>
                </li>
              ))}
              {wallets?.length === 0 && unreadable.length === 0 && (
                <li className="muted" data-testid="wallet-empty">
                  No local keys on this network yet: create one below.
                </li>
              )}
              {unreadable.map((u) => (
                <li key={`unreadable-${u.name}`} className="key key--unreadable" data-testid={`wallet-unreadable-${u.name}`} title={u.path}>
                  <div className="key__name">
                    {u.name} <span className="tag tag--bad">unreadable</span>
                  </div>
                  <div className="key__addr mono">{u.path}</div>
                  <div className="key__balance muted">{u.reason}</div>
                </li>
              ))}
            </ul>
            {wallets && <CreateKey existing={[...wallets.map((k) => k.name), ...unreadable.map((u) => u.name)]} onCreated={setFrom} />}
          </section>
          {selected && (
            <section>
              <h3 className="section-title">Receive</h3>
              <Receive name={selected.name} address={selected.address} />
            </section>
          )}
          {selected && (
            <section>
              <h3 className="section-title">History of {selected.name}</h3>
              <History address={selected.address} />
            </section>
          )}
          <section>
            <h3 className="section-title">Send a transfer</h3>
            {wallets && wallets.length > 0 ? <TransferForm keys={wallets} from={from} setFrom={setFrom} /> : <p className="muted">Needs a local key.</p>}
          </section>
        </div>
      </aside>
    </div>
  );
}
