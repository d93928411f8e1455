/** Builds the OpenRPC 1.2.6 document (https://spec.open-rpc.org) for `rpc.discover` from the declarations. */
import { z } from 'zod';
import type { MethodDecl } from './define.js';

function schemaOf(t: z.ZodType): unknown {
  try {
    return z.toJSONSchema(t, { unrepresentable: 'any', io: 'input' });
  } catch {
    return {};
  }
}

export function buildOpenRpc(methods: readonly MethodDecl[], info: { title: string; version: string }): Record<string, unknown> {
  return {
    openrpc: '1.2.6',
    info,
    methods: methods.map((m) => {
      const shape = (m.params as z.ZodObject<any>).shape as Record<string, z.ZodType>;
      const names = [...m.order, ...Object.keys(shape).filter((k) => !m.order.includes(k))];
      return {
        name: m.name,
        summary: m.summary,
        paramStructure: 'either',
        params: names.map((n) => ({
          name: n,
          required: !shape[n].safeParse(undefined).success,
          schema: schemaOf(shape[n]),
        })),
        result: { name: 'result', schema: schemaOf(m.result) },
        ...(m.mutating ? { 'x-mutating': true } : {}),
        ...(m.reasons?.length ? { 'x-error-reasons': m.reasons } : {}),
      };
    }),
  };
}
