/** What the account screens share: the server's refusals in the patient's words, a zone picker,
 * and the password rule. */
import * as api from "../api.js";
import { h } from "../dom.js";

/** A refusal as the form shows it; an error that is not the server's or the network's is thrown on. */
export function problem(error: unknown): { attr: string | null; detail: string }[] {
  if (error instanceof api.ApiError) {
    if (error.status === 429) return [{ attr: null, detail: "Too many tries for now. Please wait a few minutes." }];
    if (error.has("no_active_account")) {
      return [{ attr: null, detail: "That e-mail and password don't match an account. Check them and try again." }];
    }
    if (error.has("wrong_code")) return [{ attr: "code", detail: "That code didn't work. Try the newest one." }];
    return error.errors.length ? error.errors : [{ attr: null, detail: error.message }];
  }
  if (error instanceof api.Offline) return [{ attr: null, detail: "You're offline. Connect, then try again." }];
  throw error;
}

/** A choice of IANA zone, `selected` first (this browser's own, or the account's). */
export function zoneSelect(selected: string): HTMLSelectElement {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return h("select", { name: "timezone" }, [...new Set([selected, ...zones])].map((z) => h("option", { value: z, selected: z === selected }, z.replaceAll("_", " "))));
}

/** The server's rule (AUTH_PASSWORD_VALIDATORS' MinimumLengthValidator); a test holds the two equal. */
export const PASSWORD_MIN = 10;
