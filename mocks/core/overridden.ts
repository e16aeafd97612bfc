import { authorize } from './access.ts';
import { after } from './compose.ts';
import { delayed, type Middleware } from './middlewares.ts';
import { documentedAnswer, emptied, undocumented, type Overrides } from './overrides.ts';
import type { Sessions } from './sessions.ts';

/**
 * Overrides, and `Prefer: code=<status>` (Prism's convention, one request only, first): once the
 * caller is allowed (as Prism authenticates before it honours `Prefer`), the documented status's
 * example, the API's answer with its lists emptied, or a delay. A status the operation does not
 * document is an explicit error in the API's own shape (as Prism's "not defined in the document").
 */
export const overridden =
  (sessions: Sessions, overrides: Overrides, deferDelays: boolean): Middleware =>
  (context, next) => {
    const code = context.prefer.code;
    const { api, session, route } = context;
    const operation = route.operation;
    if (!api || !operation || (code === undefined && !overrides.any(session))) return next(context);
    const override = code === undefined ? overrides.find(session, api.name, operation.id) : undefined;
    if (code === undefined && !override) return next(context);
    const access = authorize(api.gate, context.request, sessions.peek(session)[api.name]!, operation.requirement);
    if ('refused' in access) return access.refused;
    if (code !== undefined) {
      return api.spec.documentsStatus(operation.id, code)
        ? documentedAnswer(api.spec, operation.id, code)
        : api.error(404, undocumented(api.spec, operation, code));
    }
    overrides.use(session, override!);
    context.answeredBy = override!.id;
    const answer = () =>
      override!.status !== undefined
        ? documentedAnswer(api.spec, operation.id, override!.status)
        : after(next(context), (response) => (override!.empty ? emptied(response) : response));
    return delayed(override!.delay ?? 0, deferDelays, answer);
  };
