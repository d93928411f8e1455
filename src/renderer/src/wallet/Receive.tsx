/** Receive: the key's full address, a Copy button and a QR code of it (qrcode, drawn here). */
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

export function Receive({ name, address }: { name: string; address: string }) {
  const [qr, setQr] = useState<string>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    let live = true;
    setCopied(false);
    void QRCode.toDataURL(address, { margin: 1, width: 160, errorCorrectionLevel: 'M' }).then((u) => live && setQr(u));
    return () => {
      live = false;
    };
  }, [address]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setCopied(true);
    } catch {
      // No clipboard permission (plain http on another host): select the text for Ctrl-C instead.
      const el = document.querySelector<HTMLElement>('[data-testid="wallet-address"]');
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };
  return (
    <div className="receive" data-testid="wallet-receive">
      {qr && <img className="receive__qr" src={qr} alt={`QR code of ${name}'s address`} width={160} height={160} data-testid="wallet-qr" />}
      <div className="receive__text">
        <div className="muted small">Address of {name} — share it to receive BLOCK</div>
        <div className="receive__addr mono" data-testid="wallet-address">
          {address}
        </div>
        <button className="btn" onClick={() => void copy()} data-testid="wallet-copy">
          {copied ? 'Copied' : 'Copy address'}
        </button>
      </div>
    </div>
  );
}
