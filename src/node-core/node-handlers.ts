/**
 * Handler assembly of the node: the declared methods (the contract's METHODS plus the methods of
 * modules outside the contract, e.g. test fixtures) and the dispatcher's handler map, fixed at
 * construction: the node's own methods answer at once; every other declared method forwards to
 * the current handler map once the chain and modules are up (before: `not_ready`; a declared
 * method nobody implements: −32601).
 */
import { METHODS, RpcError, type MethodDecl, type MethodName, type PhaseInfo } from '../shared/api/index.js';
import { moduleMethodsOf, type AnyNodeModule } from './modules/index.js';
import type { Handler, HandlerMap } from './rpc/types.js';

/** Methods the dispatcher serves itself. */
const BUILTIN = new Set<string>(['rpc.discover', 'chain.subscribe', 'chain.unsubscribe']);

/** METHODS plus the module methods it does not hold (in list order), each name once. */
export function declaredMethods(list: readonly AnyNodeModule[]): MethodDecl[] {
  const out: MethodDecl[] = [...METHODS];
  const names = new Set(out.map((m) => m.name));
  for (const m of moduleMethodsOf(list)) {
    if (names.has(m.name)) continue;
    names.add(m.name);
    out.push(m);
  }
  return out;
}

export function forwardingHandlers(
  methods: readonly MethodDecl[],
  o: { own: HandlerMap; current: () => HandlerMap | undefined; phase: () => PhaseInfo['phase'] },
): HandlerMap {
  const map: Record<string, Handler<MethodName>> = {};
  for (const m of methods) {
    if (BUILTIN.has(m.name)) continue;
    const own = (o.own as Record<string, Handler<MethodName> | undefined>)[m.name];
    if (own) {
      map[m.name] = own;
      continue;
    }
    map[m.name] = (params, ctx) => {
      const ch = o.current();
      if (!ch) throw RpcError.app('not_ready', `the node is ${o.phase()}; try again when it is ready`);
      const h = (ch as Record<string, Handler<MethodName> | undefined>)[m.name];
      if (!h) throw new RpcError(-32601, 'method not found');
      return h(params as never, ctx);
    };
  }
  return map as HandlerMap;
}
