/**
 * Small stroke icons (inline SVG; no icon font, nothing fetched). A page's icon is a `Glyph` kept
 * beside the page (see pages/registry.tsx); the shared ones (wallet, close, folder) are named here.
 */

/** One 24×24 SVG path; `filled` paints it instead of stroking it. */
export interface Glyph {
  d: string;
  filled?: boolean;
}

const GLYPHS = {
  wallet: { d: 'M3 7h15a3 3 0 0 1 3 3v7a3 3 0 0 1-3 3H6a3 3 0 0 1-3-3V7zm0 0V6a2 2 0 0 1 2-2h11M16 13.5h.01' },
  close: { d: 'M6 6l12 12M18 6L6 18' },
  folder: { d: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7z' },
} satisfies Record<string, Glyph>;

export function Icon({ name, size = 18 }: { name: keyof typeof GLYPHS | Glyph; size?: number }) {
  const g: Glyph = typeof name === 'string' ? GLYPHS[name] : name;
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden fill={g.filled ? 'currentColor' : 'none'} stroke={g.filled ? 'none' : 'currentColor'} strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round">
      <path d={g.d} />
    </svg>
  );
}
