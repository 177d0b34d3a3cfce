/** What the account screens share: the server's refusals in the patient's words, a zone picker,
 * and the password rule. */
import * as api from "../api.js";
import { h } from "../dom.js";
/** A refusal as the form shows it; an error that is not the server's or the network's is thrown on. */
export function problem(error) {
    if (error instanceof api.ApiError) {
        if (error.status === 429)
            return [{ attr: null, detail: "Too many tries for now. Please wait a few minutes." }];
        if (error.has("no_active_account")) {
            return [{ attr: null, detail: "That e-mail and password don't match an account. Check them and try again." }];
        }
        if (error.has("wrong_code"))
            return [{ attr: "code", detail: "That code didn't work. Try the newest one." }];
        return error.errors.length ? error.errors : [{ attr: null, detail: error.message }];
    }
    if (error instanceof api.Offline)
        return [{ attr: null, detail: "You're offline. Connect, then try again." }];
    throw error;
}
/** A choice of IANA zone, `selected` first (this browser's own, or the account's). */
export function zoneSelect(selected) {
    const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    return h("select", { name: "timezone" }, [...new Set([selected, ...zones])].map((z) => h("option", { value: z, selected: z === selected }, z.replaceAll("_", " "))));
}
/** The country codes the server takes (the tz database's iso3166.tab); a test holds the two equal. */
export const COUNTRIES = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW".split(" ");
/** Where the patient is, for the crisis lines they are shown: "" follows their time zone. */
export function countrySelect(chosen, fromZone, none) {
    const names = new Intl.DisplayNames(["en"], { type: "region" });
    const named = COUNTRIES.map((code) => [code, names.of(code) ?? code]).sort((a, b) => a[1].localeCompare(b[1]));
    const follow = none ?? (fromZone ? `From my time zone (${names.of(fromZone) ?? fromZone})` : "From my time zone");
    return h("select", { name: "country" }, h("option", { value: "", selected: !chosen }, follow), named.map(([code, name]) => h("option", { value: code, selected: code === chosen }, name)));
}
/** The server's rule (AUTH_PASSWORD_VALIDATORS' MinimumLengthValidator); a test holds the two equal. */
export const PASSWORD_MIN = 10;
