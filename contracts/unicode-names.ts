// Apart from data.ts, so that what needs only these names (defineContractProfile, in the package's
// main entry) loads no data generator.

/** Names that exercise non-ASCII handling: accents, other scripts, an emoji outside the BMP. */
export const UNICODE_NAMES = { first: 'Zoë-Ångström', last: 'Łukasiewicz 李雷 🙂', full: 'Zoë Ångström 李雷 🙂' };
