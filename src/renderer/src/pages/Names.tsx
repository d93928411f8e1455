/**
 * Names: the `.block` registry — mode (inactive/rehearsal/trade, set by the naming gate), auctions
 * by phase with countdowns, my bids and what each still needs (the peer wallet's most common
 * complaint is forgotten bid actions), my names and their TXT records, my stakes, and forms to
 * list, stake and bid. "Mine" = this node's local wallet keys. Live through new heads (names/live.ts).
 */
import { useEffect, useMemo, useState } from 'react';
import type { DnsAuction } from '../../../shared/api/dns';
import { rpc } from '../api/hooks';
import { Card, Stat } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { fmtInt, shortHash } from '../format';
import { bidNeeds, blocksLeft, countdown, nameNeeds, stakeNeeds, type Need } from '../names/needs';
import { useLive } from '../store/live';
import { toRpcError } from '../transport/errors';
import { blocker, issuesOnFields, LABEL, validateAct, type ActAction, type ActDraft, type ActErrors, type ActField } from '../names/validate';
import '../names/names.css';


const PHASES = ['bidding', 'ended', 'completed', 'cancelled'] as const;
const PHASE_LABEL = { bidding: 'Bidding', ended: 'Ended — needs complete/cancel', completed: 'Completed', cancelled: 'Cancelled' };

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function AuctionItem({ a, height, now }: { a: DnsAuction; height: number; now: number }) {
  return (
    <div className="names-auction" data-testid={`auction-${a.domain}`}>
      <div className="names-auction__head">
        <span>{a.domain}</span>
        {a.phase === 'bidding' && (
          <span className="names-countdown" data-testid={`countdown-${a.domain}`}>
            {blocksLeft(a, height)} blk · {countdown(a.end_ts - now)}
          </span>
        )}
      </div>
      <span className="muted">
        {a.highest_bid ? `highest ${fmtInt(a.highest_bid.amount)} by ${shortHash(a.highest_bid.bidder, 10)}` : `no bids · min ${fmtInt(a.min_bid)}`} · stake ≥ {fmtInt(a.stake_requirement)}
      </span>
      <span className="muted">
        {a.bids.length} bid(s) · royalty {a.royalty_bps / 100}% · {a.trade ? 'trade' : 'rehearsal (no value moves)'}
      </span>
    </div>
  );
}

export function Names() {
  const on = useLive((s) => s.connection) === 'open';
  const view = rpc['dns.auctions'].useQuery(undefined, { enabled: on });
  const keys = rpc['wallet.list'].useQuery(undefined, { enabled: on });
  const now = useNow();
  const [key, setKey] = useState('faucet');
  const [domain, setDomain] = useState('');
  const [amount, setAmount] = useState('');
  const [stakeRef, setStakeRef] = useState('');
  const [blocks, setBlocks] = useState('30');
  const [stakeReq, setStakeReq] = useState('0');
  const [done, setDone] = useState<string | null>(null);
  const publish = rpc['dns.publish_record'].useMutation();
  const list = rpc['dns.list_for_sale'].useMutation();
  const stake = rpc['dns.register_stake'].useMutation();
  const bid = rpc['dns.place_bid'].useMutation();
  const complete = rpc['dns.complete_sale'].useMutation();
  const cancel = rpc['dns.cancel_sale'].useMutation();
  const withdraw = rpc['dns.withdraw_stake'].useMutation();
  const all = [publish, list, stake, bid, complete, cancel, withdraw];
  const error = all.find((m) => m.error)?.error;
  const busy = all.some((m) => m.isPending);
  // Field checks as each field is left (the Wallet/Energy/Settings way); the node's −32602 issues go on their fields.
  const draft: ActDraft = { domain, amount, stakeRef, stakeReq, blocks };
  const errors = validateAct(draft);
  const [left, setLeft] = useState<Partial<Record<ActField, boolean>>>({});
  const [refused, setRefused] = useState<ActErrors>({});
  const rpcErr = error ? toRpcError(error) : undefined;
  const placed = rpcErr && rpcErr.code === -32602 && Array.isArray(rpcErr.data?.issues) ? issuesOnFields(rpcErr.data.issues, draft) : undefined;
  const shownError = (f: ActField) => refused[f] ?? (left[f] ? errors[f] : undefined);
  const why = (a: ActAction) => blocker(a, draft, errors);

  const wallets = useMemo(() => keys.data?.wallets ?? [], [keys.data]);
  const mine = useMemo(() => new Map(wallets.map((k) => [k.address, k.name])), [wallets]);
  const v = view.data;
  const height = v?.height ?? 0;
  const auctions = v?.auctions ?? [];
  const bids = bidNeeds(auctions, mine, height, v?.ownership ?? []);
  const names = nameNeeds(v?.ownership ?? [], mine);
  const stakes = stakeNeeds(v?.stakes ?? [], mine);
  const todo = [...bids, ...names, ...stakes].filter((n) => n.action !== null).length;

  const run = async (what: string, f: () => Promise<unknown>) => {
    for (const m of all) m.reset();
    setDone(null);
    setRefused({});
    const sent = draft;
    await f()
      .then(() => setDone(`${what}: submitted — it applies in the next block`))
      .catch((e: unknown) => {
        const r = toRpcError(e);
        if (r.code === -32602 && Array.isArray(r.data?.issues)) setRefused(issuesOnFields(r.data.issues, sent).fields);
      });
  };
  const act = (n: Need) => {
    const from = n.key ?? key;
    if (n.action === 'complete') return run(`complete ${n.domain}`, () => complete.mutateAsync({ from, domain: n.domain }));
    if (n.action === 'publish') return run(`publish ${n.domain}`, () => publish.mutateAsync({ from, domain: n.domain }));
    if (n.action === 'withdraw' && n.stakeRef) return run(`withdraw ${n.stakeRef}`, () => withdraw.mutateAsync({ from, reference: n.stakeRef! }));
    if (n.action === 'rebid') {
      setDomain(n.domain);
      setStakeRef(n.stakeRef ?? '');
      setKey(from);
    }
  };
  const needList = (items: Need[], empty: string, testId: string) => (
    <div data-testid={testId}>
      {items.length === 0 && <p className="muted">{empty}</p>}
      {items.map((n, i) => (
        <div key={`${n.domain}-${n.stakeRef ?? ''}-${i}`} className="names-need" data-testid={`${testId}-row`}>
          <span>
            <b>{n.stakeRef && testId === 'my-stakes' ? n.stakeRef : n.domain}</b> <span className={`pill pill--${n.tone}`}>{n.key}</span> {n.text}
          </span>
          {n.action && (
            <button className="btn" disabled={busy} onClick={() => void act(n)} data-testid={`${testId}-do-${n.action}-${n.stakeRef && testId === 'my-stakes' ? n.stakeRef : n.domain}`}>
              {n.action === 'rebid' ? 'Bid again' : n.action[0].toUpperCase() + n.action.slice(1)}
            </button>
          )}
        </div>
      ))}
    </div>
  );

  return (
    <div className="page" data-testid="page-names">
      <div className="stats">
        <Stat label="Mode" value={v ? v.mode[0].toUpperCase() + v.mode.slice(1) : '—'} sub={v?.mode === 'trade' ? 'value moves' : 'auctions run, no value moves'} testId="names-mode" tone={v?.mode === 'trade' ? 'ok' : 'warn'} />
        <Stat label="Open auctions" value={auctions.filter((a) => a.status === 'open').length} sub={`height ${height}`} testId="names-open" />
        <Stat label="To do" value={todo} sub="pending bid, name and stake actions" testId="names-todo" tone={todo > 0 ? 'bad' : 'ok'} />
        <Stat label="Sales" value={v?.counters.completions ?? '—'} sub={`${v?.counters.cancels ?? 0} cancelled`} testId="names-sales" />
      </div>
      <ErrorNote error={view.error} testId="names-view-error" />


      <Card title="Auctions by phase" testId="names-auctions">
        <div className="names-phases">
          {PHASES.map((p) => {
            const xs = auctions.filter((a) => a.phase === p);
            return (
              <div key={p} className="names-phase" data-testid={`phase-${p}`}>
                <h3>
                  {PHASE_LABEL[p]} ({xs.length})
                </h3>
                {xs.length === 0 && <p className="muted">none</p>}
                {xs.map((a) => (
                  <AuctionItem key={a.domain} a={a} height={height} now={now} />
                ))}
              </div>
            );
          })}
        </div>
      </Card>

      <div className="grid-2">
        <Card title="My bids — what each still needs" testId="names-my-bids">
          {needList(bids, 'No bids from this node’s keys.', 'my-bids')}
        </Card>
        <Card title="My names and records" testId="names-my-names">
          {needList(names, 'No names owned by this node’s keys.', 'my-names')}
          {(v?.ownership ?? [])
            .filter((o) => mine.has(o.owner_account) && o.txt)
            .map((o) => (
              <code key={o.domain} className="mono muted" data-testid={`txt-${o.domain}`} style={{ display: 'block', overflowWrap: 'anywhere', fontSize: 11 }}>
                {o.txt}
              </code>
            ))}
        </Card>
      </div>

      <Card title="My stakes" testId="names-my-stakes">
        {needList(stakes, 'No stakes registered by this node’s keys.', 'my-stakes')}
      </Card>
      <Card title="Act" testId="names-act">
        <div className="names-form">
          <label className="field">
            <span>Key</span>
            <select value={key} onChange={(e) => setKey(e.target.value)} data-testid="names-key">
              {(wallets.length ? wallets : [{ name: 'faucet', address: '' }]).map((k) => (
                <option key={k.name} value={k.name}>
                  {k.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{LABEL.domain}</span>
            <input
              className="input"
              value={domain}
              placeholder="alice.block"
              aria-invalid={shownError('domain') ? 'true' : undefined}
              onChange={(e) => {
                setDomain(e.target.value.trim());
                setRefused((r) => ({ ...r, domain: undefined }));
              }}
              onBlur={() => setLeft((l) => ({ ...l, domain: true }))}
              data-testid="names-domain"
            />
            {shownError('domain') && (
              <span className="field__error" data-testid="names-domain-error">
                {shownError('domain')}
              </span>
            )}
          </label>
          <label className="field">
            <span>{LABEL.amount}</span>
            <input
              className="input"
              value={amount}
              inputMode="numeric"
              aria-invalid={shownError('amount') ? 'true' : undefined}
              onChange={(e) => {
                setAmount(e.target.value.trim());
                setRefused((r) => ({ ...r, amount: undefined }));
              }}
              onBlur={() => setLeft((l) => ({ ...l, amount: true }))}
              data-testid="names-amount"
            />
            {shownError('amount') && (
              <span className="field__error" data-testid="names-amount-error">
                {shownError('amount')}
              </span>
            )}
          </label>
          <label className="field">
            <span>{LABEL.stakeRef}</span>
            <input
              className="input"
              value={stakeRef}
              aria-invalid={shownError('stakeRef') ? 'true' : undefined}
              onChange={(e) => {
                setStakeRef(e.target.value.trim());
                setRefused((r) => ({ ...r, stakeRef: undefined }));
              }}
              onBlur={() => setLeft((l) => ({ ...l, stakeRef: true }))}
              data-testid="names-stake-ref"
            />
            {shownError('stakeRef') && (
              <span className="field__error" data-testid="names-stake-ref-error">
                {shownError('stakeRef')}
              </span>
            )}
          </label>
          <label className="field">
            <span>{LABEL.stakeReq}</span>
            <input
              className="input"
              value={stakeReq}
              inputMode="numeric"
              aria-invalid={shownError('stakeReq') ? 'true' : undefined}
              onChange={(e) => {
                setStakeReq(e.target.value.trim());
                setRefused((r) => ({ ...r, stakeReq: undefined }));
              }}
              onBlur={() => setLeft((l) => ({ ...l, stakeReq: true }))}
              data-testid="names-stake-req"
            />
            {shownError('stakeReq') && (
              <span className="field__error" data-testid="names-stake-req-error">
                {shownError('stakeReq')}
              </span>
            )}
          </label>
          <label className="field">
            <span>{LABEL.blocks}</span>
            <input
              className="input"
              value={blocks}
              inputMode="numeric"
              aria-invalid={shownError('blocks') ? 'true' : undefined}
              onChange={(e) => {
                setBlocks(e.target.value.trim());
                setRefused((r) => ({ ...r, blocks: undefined }));
              }}
              onBlur={() => setLeft((l) => ({ ...l, blocks: true }))}
              data-testid="names-blocks"
            />
            {shownError('blocks') && (
              <span className="field__error" data-testid="names-blocks-error">
                {shownError('blocks')}
              </span>
            )}
          </label>
        </div>
        <div className="names-actions">
          <button className="btn" disabled={busy || !!why('publish')} title={why('publish')} onClick={() => void run(`publish ${domain}`, () => publish.mutateAsync({ from: key, domain }))} data-testid="names-publish">
            Publish record
          </button>
          <button className="btn" disabled={busy || !!why('list')} title={why('list')} onClick={() => void run(`list ${domain}`, () => list.mutateAsync({ from: key, domain, min_bid: amount, stake_requirement: stakeReq || '0', duration_blocks: Number(blocks) }))} data-testid="names-list">
            List for sale
          </button>
          <button className="btn" disabled={busy || !!why('stake')} title={why('stake')} onClick={() => void run(`stake ${stakeRef}`, () => stake.mutateAsync({ from: key, reference: stakeRef, amount }))} data-testid="names-stake">
            Register stake
          </button>
          <button className="btn btn--primary" disabled={busy || !!why('bid')} title={why('bid')} onClick={() => void run(`bid on ${domain}`, () => bid.mutateAsync({ from: key, domain, amount, stake_ref: stakeRef }))} data-testid="names-bid">
            Place bid
          </button>
          <button className="btn" disabled={busy || !!why('cancel')} title={why('cancel')} onClick={() => void run(`cancel ${domain}`, () => cancel.mutateAsync({ from: key, domain }))} data-testid="names-cancel">
            Cancel sale
          </button>
        </div>
        {/* The outcome of an action sits under the buttons: at the top of the page it was out of sight (operator finding F16). */}
        {placed && placed.rest.length === 0 ? (
          <div className="error-note" role="alert" data-testid="names-error">
            Not submitted: the node refused {Object.keys(placed.fields).length === 1 ? 'a value' : 'some values'} (shown next to the field{Object.keys(placed.fields).length === 1 ? '' : 's'}).
          </div>
        ) : (
          <ErrorNote error={error} testId="names-error" />
        )}
        {done && (
          <p className="muted" data-testid="names-done">
            {done}
          </p>
        )}
      </Card>
    </div>
  );
}
