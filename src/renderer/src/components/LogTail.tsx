/** A block of node output (log file tail, crash output): readable lines, scrolled to the newest one. */
import { useLayoutEffect, useMemo, useRef } from 'react';
import { fmtRawLogLine } from './logText';

export function LogTail({ lines, className, testId }: { lines: readonly string[]; className?: string; testId?: string }) {
  const text = useMemo(() => lines.map(fmtRawLogLine).join('\n'), [lines]);
  const ref = useRef<HTMLPreElement>(null);
  // The newest lines are what the operator came for: open at the bottom.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <pre ref={ref} className={className} data-testid={testId}>
      {text}
    </pre>
  );
}
